//! The explorer's view as a URL fragment (SPEC §5: a link reproduces the view):
//! `target=w:m:s,…&q=μ,σ&d=name,…&alpha=…&order=…&bandwidth=…&kernelC=…&kernelBeta=…&mu=lo:hi&sigma=lo:hi&metric=name`.
//! Numbers are written in Rust's shortest round-trip form, so a link restores them exactly.

use crate::error::{Error, Field};
use crate::target::Component;

/// Longest fragment accepted: a full view is a few hundred characters.
pub const MAX_FRAGMENT: usize = 4096;

/// What a fragment sets; every field is optional, and keys it does not know are listed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FragmentUpdate {
    pub target: Option<Vec<Component>>,
    pub q: Option<(f64, f64)>,
    pub divergences: Option<Vec<String>>,
    pub alpha: Option<f64>,
    pub order: Option<f64>,
    pub bandwidth: Option<f64>,
    pub kernel_c: Option<f64>,
    pub kernel_beta: Option<f64>,
    pub mu_range: Option<(f64, f64)>,
    pub sigma_range: Option<(f64, f64)>,
    /// The descent metric's name, checked when the state is validated.
    pub metric: Option<String>,
    /// Keys that were ignored (at most 8 are kept, each cut to 24 characters).
    pub unknown: Vec<String>,
}

/// The full view, for writing a fragment.
#[derive(Clone, Debug, PartialEq)]
pub struct View<'a> {
    pub target: &'a [Component],
    pub q: (f64, f64),
    pub divergences: &'a [String],
    pub params: [f64; 5],
    pub mu_range: (f64, f64),
    pub sigma_range: (f64, f64),
    pub metric: &'a str,
}

fn bad(msg: String) -> Error {
    Error::parse(Field::Link, format!("link: {msg}"))
}

/// Percent-decoding as `URLSearchParams` does (`+` is a space); invalid escapes stay as is.
fn decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => {
                let hex = std::str::from_utf8(&b[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(v) => {
                        out.push(v);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Percent-encoding of everything but unreserved characters and the separators we use.
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii_alphanumeric() || "-._~:,".contains(c) {
            out.push(c);
        } else {
            let mut buf = [0; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    out
}

fn clip(s: &str) -> String {
    s.chars().take(24).collect()
}

fn number(v: &str, what: &str) -> Result<f64, Error> {
    let t = v.trim();
    match t.parse::<f64>() {
        Ok(x) if x.is_finite() => Ok(x),
        _ => Err(bad(format!("{what} '{}' is not a finite number", clip(t)))),
    }
}

fn pair(v: &str, sep: char, what: &str) -> Result<(f64, f64), Error> {
    let mut it = v.split(sep);
    match (it.next(), it.next(), it.next()) {
        (Some(a), Some(b), None) => Ok((number(a, what)?, number(b, what)?)),
        _ => Err(bad(format!(
            "{what} must be two numbers separated by '{sep}'"
        ))),
    }
}

/// Parses a fragment (with or without the leading `#`). Malformed values are an error
/// naming the key; the caller applies nothing then.
pub fn parse_fragment(fragment: &str) -> Result<FragmentUpdate, Error> {
    let text = fragment.strip_prefix('#').unwrap_or(fragment);
    if text.len() > MAX_FRAGMENT {
        return Err(bad(format!("longer than {MAX_FRAGMENT} characters")));
    }
    let mut u = FragmentUpdate::default();
    for item in text.split('&').filter(|s| !s.is_empty()) {
        let (k, v) = item.split_once('=').unwrap_or((item, ""));
        let (k, v) = (decode(k), decode(v));
        match k.as_str() {
            "target" => {
                let comps = v
                    .split(',')
                    .enumerate()
                    .map(|(i, c)| {
                        let f: Vec<&str> = c.split(':').collect();
                        if f.len() != 3 {
                            return Err(bad(format!(
                                "component {} must be weight:mean:std",
                                i + 1
                            )));
                        }
                        Ok(Component {
                            weight: number(f[0], "weight")?,
                            mean: number(f[1], "mean")?,
                            std: number(f[2], "std")?,
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                if comps.len() > crate::target::MAX_COMPONENTS {
                    return Err(bad(format!("{} components (at most 8)", comps.len())));
                }
                u.target = Some(comps);
            }
            "q" => u.q = Some(pair(&v, ',', "q")?),
            "d" => {
                let names: Vec<String> = v
                    .split(',')
                    .filter(|s| !s.is_empty())
                    .map(|s| s.to_string())
                    .collect();
                if names.len() > 16 {
                    return Err(bad("more than 16 divergences".into()));
                }
                u.divergences = Some(names);
            }
            "alpha" => u.alpha = Some(number(&v, "alpha")?),
            "order" => u.order = Some(number(&v, "order")?),
            "bandwidth" => u.bandwidth = Some(number(&v, "bandwidth")?),
            "kernelC" => u.kernel_c = Some(number(&v, "kernelC")?),
            "kernelBeta" => u.kernel_beta = Some(number(&v, "kernelBeta")?),
            "mu" => u.mu_range = Some(pair(&v, ':', "mu range")?),
            "sigma" => u.sigma_range = Some(pair(&v, ':', "sigma range")?),
            "metric" => {
                let m: crate::metric::Metric = v.parse().map_err(|_| {
                    bad(format!(
                        "metric '{}' is not one of: {}",
                        clip(&v),
                        crate::metric::METRICS.join(", ")
                    ))
                })?;
                u.metric = Some(m.name().to_string());
            }
            other => {
                if u.unknown.len() < 8 {
                    u.unknown.push(clip(other));
                }
            }
        }
    }
    Ok(u)
}

/// Writes the view as a fragment (without `#`).
pub fn to_fragment(v: &View) -> String {
    let n = |x: f64| format!("{x:?}");
    let target = v
        .target
        .iter()
        .map(|c| format!("{}:{}:{}", n(c.weight), n(c.mean), n(c.std)))
        .collect::<Vec<_>>()
        .join(",");
    let names = ["alpha", "order", "bandwidth", "kernelC", "kernelBeta"];
    let mut parts = vec![
        format!("target={}", encode(&target)),
        format!("q={},{}", n(v.q.0), n(v.q.1)),
        format!("d={}", encode(&v.divergences.join(","))),
    ];
    for (k, x) in names.iter().zip(v.params) {
        parts.push(format!("{k}={}", n(x)));
    }
    parts.push(format!("mu={}:{}", n(v.mu_range.0), n(v.mu_range.1)));
    parts.push(format!(
        "sigma={}:{}",
        n(v.sigma_range.0),
        n(v.sigma_range.1)
    ));
    parts.push(format!("metric={}", encode(v.metric)));
    parts.join("&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_is_exact() {
        let target = vec![
            Component {
                weight: 0.1,
                mean: -3.125,
                std: 0.7,
            },
            Component {
                weight: 1.0 / 3.0,
                mean: 1e-300,
                std: 1.0000000000000002,
            },
        ];
        let names = vec!["reverse_kl".to_string(), "log_ksd".to_string()];
        let v = View {
            target: &target,
            q: (0.1 + 0.2, 2.0),
            divergences: &names,
            params: [-0.7, 0.3, 1.0, 1.0, 0.5],
            mu_range: (-7.0, 7.0),
            sigma_range: (0.5, 5.0),
            metric: "euclidean",
        };
        let f = to_fragment(&v);
        let u = parse_fragment(&format!("#{f}")).unwrap();
        assert_eq!(u.target.as_deref(), Some(&target[..]));
        assert_eq!(u.q, Some((0.1 + 0.2, 2.0)));
        assert_eq!(u.divergences.as_deref(), Some(&names[..]));
        assert_eq!(u.order, Some(0.3));
        assert_eq!(u.mu_range, Some((-7.0, 7.0)));
        assert_eq!(u.metric.as_deref(), Some("euclidean"));
        assert!(u.unknown.is_empty());
    }

    #[test]
    fn url_search_params_encoding_is_understood() {
        let u =
            parse_fragment("target=0.5%3A-4%3A1%2C0.5%3A4%3A1&q=0%2C2&d=reverse_kl%2Cforward_kl")
                .unwrap();
        assert_eq!(u.target.unwrap().len(), 2);
        assert_eq!(u.q, Some((0.0, 2.0)));
    }

    #[test]
    fn malformed_and_hostile_fragments_are_errors_or_ignored() {
        for bad in [
            "q=abc,1",
            "q=1",
            "q=1,2,3",
            "target=1:2",
            "mu=1",
            "alpha=inf",
            "sigma=nan:1",
            "target=<img>:1:1",
            "metric=riemann",
        ] {
            let e = parse_fragment(bad).unwrap_err().to_string();
            assert!(e.starts_with("link:"), "{bad}: {e}");
        }
        let u = parse_fragment("evil=%3Cscript%3E&x=1&q=0,1").unwrap();
        assert_eq!(u.unknown, vec!["evil".to_string(), "x".to_string()]);
        assert_eq!(u.q, Some((0.0, 1.0)));
        assert!(parse_fragment(&"a".repeat(5000)).is_err());
        assert_eq!(decode("%zz%4"), "%zz%4");
        assert_eq!(decode("%E2%88%9E"), "∞");
    }
}
