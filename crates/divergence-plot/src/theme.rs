//! Colours and text sizes shared by every panel: light or dark, and the screen's density.

use plotters::style::RGBColor;

/// The smallest text drawn, in plotters' size units per CSS pixel: 12.5, which the SVG
/// backend writes as `font-size` 12.5 / 1.24 ≈ 10.1 and a canvas draws at 12.5 px.
pub const MIN_TEXT: f64 = 12.5;

/// How a panel is drawn: light or dark, and how many device pixels make one CSS pixel (the
/// page passes `devicePixelRatio` for its canvases; exports to SVG and the CLI pass 1).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Theme {
    pub dark: bool,
    pub ratio: f64,
}

impl Theme {
    /// A light or dark theme at `ratio` device pixels per CSS pixel (at least 1).
    pub fn new(dark: bool, ratio: f64) -> Theme {
        let ratio = if ratio.is_finite() {
            ratio.max(1.0)
        } else {
            1.0
        };
        Theme { dark, ratio }
    }

    /// Text and axis colour.
    pub fn fg(&self) -> RGBColor {
        if self.dark {
            RGBColor(230, 230, 230)
        } else {
            RGBColor(30, 30, 30)
        }
    }

    /// Background colour.
    pub fn bg(&self) -> RGBColor {
        if self.dark {
            RGBColor(24, 26, 30)
        } else {
            RGBColor(255, 255, 255)
        }
    }

    /// Thin curves that stay in the background (a density's components).
    pub fn muted(&self) -> RGBColor {
        if self.dark {
            RGBColor(150, 150, 150)
        } else {
            RGBColor(120, 120, 120)
        }
    }

    /// Text size in device pixels for `css` CSS pixels, never under [`MIN_TEXT`].
    pub fn text(&self, css: f64) -> f64 {
        css.max(MIN_TEXT) * self.ratio
    }

    /// A base text size for an area of `w × h` device pixels: `min(w, h) / div` CSS pixels,
    /// between `lo` and `hi`.
    pub fn base_text(&self, (w, h): (u32, u32), div: f64, lo: f64, hi: f64) -> f64 {
        self.text((w.min(h) as f64 / self.ratio / div).clamp(lo, hi))
    }

    /// `k` times a text size of `size` device pixels, never under [`MIN_TEXT`] CSS pixels.
    pub fn scaled(&self, size: f64, k: f64) -> f64 {
        self.text(size / self.ratio * k)
    }

    /// `v` CSS pixels in device pixels.
    pub fn px(&self, v: f64) -> f64 {
        v * self.ratio
    }
}

/// Curve colours (matplotlib's tab10), in order.
pub const PALETTE: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(214, 39, 40),
    RGBColor(44, 160, 44),
    RGBColor(255, 127, 14),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];

/// q's colour everywhere: its ring on landscapes, its curve on densities.
pub const Q_PINK: RGBColor = RGBColor(255, 64, 160);
