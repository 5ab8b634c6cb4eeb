//! Charts drawn once, replayed on any backend.
//!
//! Every chart is generic over plotters' `DrawingBackend`, so a program that draws it on two
//! backends (the page: canvas and SVG export) carries two compiled copies of every chart and
//! of plotters' layout code. Drawing onto a [`Recorder`] instead keeps one copy: the
//! [`Recording`] holds the primitives the backend received, in backend pixels, and
//! [`Recording::replay`] issues the same calls on the real backend. Text is measured as the
//! real backends measure it (plotters' font layout, which neither the canvas nor the SVG
//! backend overrides), so layouts do not change.

use plotters::coord::Shift;
use plotters::prelude::{DrawingArea, IntoDrawingArea};
use plotters::style::{FontDesc, FontFamily, FontStyle, FontTransform, TextStyle};
use plotters_backend::text_anchor::Pos;
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingBackend, DrawingErrorKind,
};
use std::convert::Infallible;

/// A stroke or fill as a backend receives it: colour and line width.
#[derive(Clone, Copy)]
struct Stroke {
    color: BackendColor,
    width: u32,
}

impl Stroke {
    fn of<S: BackendStyle>(s: &S) -> Stroke {
        Stroke {
            color: s.color(),
            width: s.stroke_width(),
        }
    }
}

impl BackendStyle for Stroke {
    fn color(&self) -> BackendColor {
        self.color
    }

    fn stroke_width(&self) -> u32 {
        self.width
    }
}

/// A font family, owned (rebuilt without `FontFamily::from(&str)`, whose lower-casing links
/// the Unicode case tables into the wasm).
enum Family {
    Serif,
    SansSerif,
    Monospace,
    Name(String),
}

impl Family {
    fn of(f: FontFamily) -> Family {
        match f {
            FontFamily::Serif => Family::Serif,
            FontFamily::SansSerif => Family::SansSerif,
            FontFamily::Monospace => Family::Monospace,
            FontFamily::Name(n) => Family::Name(n.to_owned()),
        }
    }

    fn get(&self) -> FontFamily<'_> {
        match self {
            Family::Serif => FontFamily::Serif,
            Family::SansSerif => FontFamily::SansSerif,
            Family::Monospace => FontFamily::Monospace,
            Family::Name(n) => FontFamily::Name(n),
        }
    }
}

/// A text style with everything a backend reads from it owned.
struct Text {
    family: Family,
    size: f64,
    style: FontStyle,
    color: BackendColor,
    anchor: Pos,
    transform: FontTransform,
}

/// One call a backend received.
enum Op {
    Pixel(BackendCoord, BackendColor),
    Line(BackendCoord, BackendCoord, Stroke),
    Rect(BackendCoord, BackendCoord, Stroke, bool),
    Path(Vec<BackendCoord>, Stroke),
    Circle(BackendCoord, u32, Stroke, bool),
    Polygon(Vec<BackendCoord>, Stroke),
    Text(String, Text, BackendCoord),
    Bitmap(BackendCoord, (u32, u32), Vec<u8>),
}

/// The drawing calls of a chart of a given pixel size, to be replayed on a real backend.
pub struct Recording {
    size: (u32, u32),
    ops: Vec<Op>,
}

impl Recording {
    /// An empty recording of a `size` (w, h) pixel surface, the size of the backend it will
    /// be replayed on (charts lay themselves out by it).
    pub fn new(size: (u32, u32)) -> Recording {
        Recording {
            size,
            ops: Vec::new(),
        }
    }

    /// A drawing area over the whole surface that records into this recording.
    pub fn area(&mut self) -> DrawingArea<Recorder<'_>, Shift> {
        Recorder {
            size: self.size,
            ops: &mut self.ops,
        }
        .into_drawing_area()
    }

    /// Number of recorded calls.
    pub fn len(&self) -> usize {
        self.ops.len()
    }

    /// True when nothing was drawn.
    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }

    /// Issues every recorded call on `db`, in order (the caller presents `db`).
    pub fn replay<DB: DrawingBackend>(
        &self,
        db: &mut DB,
    ) -> Result<(), DrawingErrorKind<DB::ErrorType>> {
        db.ensure_prepared()?;
        for op in &self.ops {
            match op {
                Op::Pixel(p, c) => db.draw_pixel(*p, *c)?,
                Op::Line(a, b, s) => db.draw_line(*a, *b, s)?,
                Op::Rect(a, b, s, fill) => db.draw_rect(*a, *b, s, *fill)?,
                Op::Path(pts, s) => db.draw_path(pts.iter().copied(), s)?,
                Op::Circle(c, r, s, fill) => db.draw_circle(*c, *r, s, *fill)?,
                Op::Polygon(pts, s) => db.fill_polygon(pts.iter().copied(), s)?,
                Op::Text(text, t, pos) => {
                    let font = FontDesc::new(t.family.get(), t.size, t.style)
                        .transform(t.transform.clone());
                    let style = TextStyle {
                        font,
                        color: t.color,
                        pos: t.anchor,
                    };
                    db.draw_text(text, &style, *pos)?
                }
                Op::Bitmap(pos, dim, src) => db.blit_bitmap(*pos, *dim, src)?,
            }
        }
        Ok(())
    }
}

/// The backend that fills a [`Recording`]; it never fails to draw.
pub struct Recorder<'a> {
    size: (u32, u32),
    ops: &'a mut Vec<Op>,
}

type Drawn = Result<(), DrawingErrorKind<Infallible>>;

impl DrawingBackend for Recorder<'_> {
    type ErrorType = Infallible;

    fn get_size(&self) -> (u32, u32) {
        self.size
    }

    fn ensure_prepared(&mut self) -> Drawn {
        Ok(())
    }

    fn present(&mut self) -> Drawn {
        Ok(())
    }

    fn draw_pixel(&mut self, point: BackendCoord, color: BackendColor) -> Drawn {
        self.ops.push(Op::Pixel(point, color));
        Ok(())
    }

    fn draw_line<S: BackendStyle>(&mut self, from: BackendCoord, to: BackendCoord, s: &S) -> Drawn {
        self.ops.push(Op::Line(from, to, Stroke::of(s)));
        Ok(())
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        s: &S,
        fill: bool,
    ) -> Drawn {
        (self.ops).push(Op::Rect(upper_left, bottom_right, Stroke::of(s), fill));
        Ok(())
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        s: &S,
    ) -> Drawn {
        self.ops
            .push(Op::Path(path.into_iter().collect(), Stroke::of(s)));
        Ok(())
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        s: &S,
        fill: bool,
    ) -> Drawn {
        (self.ops).push(Op::Circle(center, radius, Stroke::of(s), fill));
        Ok(())
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        s: &S,
    ) -> Drawn {
        (self.ops).push(Op::Polygon(vert.into_iter().collect(), Stroke::of(s)));
        Ok(())
    }

    fn draw_text<T: BackendTextStyle>(&mut self, text: &str, s: &T, pos: BackendCoord) -> Drawn {
        let t = Text {
            family: Family::of(s.family()),
            size: s.size(),
            style: s.style(),
            color: s.color(),
            anchor: s.anchor(),
            transform: s.transform(),
        };
        self.ops.push(Op::Text(text.to_owned(), t, pos));
        Ok(())
    }

    fn blit_bitmap(&mut self, pos: BackendCoord, dim: (u32, u32), src: &[u8]) -> Drawn {
        self.ops.push(Op::Bitmap(pos, dim, src.to_vec()));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Raster, Rect};
    use plotters::prelude::*;
    use plotters::style::text_anchor::{HPos, VPos};
    use std::cell::RefCell;
    use std::rc::Rc;

    /// A backend that logs every call with every argument it reads, to compare two drawings.
    #[derive(Clone, Default)]
    struct Log(Rc<RefCell<Vec<String>>>);

    fn stroke<S: BackendStyle>(s: &S) -> String {
        let c = s.color();
        format!("{:?} {} {}", c.rgb, c.alpha, s.stroke_width())
    }

    impl Log {
        fn put(&self, line: String) -> Drawn {
            self.0.borrow_mut().push(line);
            Ok(())
        }
    }

    impl DrawingBackend for Log {
        type ErrorType = Infallible;
        fn get_size(&self) -> (u32, u32) {
            (200, 100)
        }
        fn ensure_prepared(&mut self) -> Drawn {
            Ok(())
        }
        fn present(&mut self) -> Drawn {
            Ok(())
        }
        fn draw_pixel(&mut self, p: BackendCoord, c: BackendColor) -> Drawn {
            self.put(format!("pixel {p:?} {:?} {}", c.rgb, c.alpha))
        }
        fn draw_line<S: BackendStyle>(&mut self, a: BackendCoord, b: BackendCoord, s: &S) -> Drawn {
            self.put(format!("line {a:?} {b:?} {}", stroke(s)))
        }
        fn draw_rect<S: BackendStyle>(
            &mut self,
            a: BackendCoord,
            b: BackendCoord,
            s: &S,
            fill: bool,
        ) -> Drawn {
            self.put(format!("rect {a:?} {b:?} {} {fill}", stroke(s)))
        }
        fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
            &mut self,
            path: I,
            s: &S,
        ) -> Drawn {
            let pts: Vec<_> = path.into_iter().collect();
            self.put(format!("path {pts:?} {}", stroke(s)))
        }
        fn draw_circle<S: BackendStyle>(
            &mut self,
            c: BackendCoord,
            r: u32,
            s: &S,
            fill: bool,
        ) -> Drawn {
            self.put(format!("circle {c:?} {r} {} {fill}", stroke(s)))
        }
        fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
            &mut self,
            vert: I,
            s: &S,
        ) -> Drawn {
            let pts: Vec<_> = vert.into_iter().collect();
            self.put(format!("polygon {pts:?} {}", stroke(s)))
        }
        fn draw_text<T: BackendTextStyle>(&mut self, t: &str, s: &T, p: BackendCoord) -> Drawn {
            let (a, c) = (s.anchor(), s.color());
            self.put(format!(
                "text {t} {p:?} {} {} {} {:?} {} {:?} {:?} {:?}",
                s.family().as_str(),
                s.size(),
                s.style().as_str(),
                c.rgb,
                c.alpha,
                s.transform().transform(1, 2),
                (a.h_pos as u8, a.v_pos as u8),
                s.layout_box(t).ok(),
            ))
        }
        fn blit_bitmap(&mut self, p: BackendCoord, d: (u32, u32), src: &[u8]) -> Drawn {
            self.put(format!("blit {p:?} {d:?} {src:?}"))
        }
    }

    /// One of every primitive, text with every style attribute set away from its default.
    fn scene<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>) {
        crate::register_font();
        area.fill(&WHITE).unwrap();
        let style = (FontFamily::SansSerif, 14.0)
            .into_font()
            .style(FontStyle::Bold)
            .transform(FontTransform::Rotate270)
            .color(&RED.mix(0.5))
            .pos(Pos::new(HPos::Right, VPos::Center));
        area.draw_text("σ axis", &style, (30, 40)).unwrap();
        let wide = PathElement::new(
            vec![(1, 1), (50, 20), (120, 90)],
            ShapeStyle::from(BLUE).stroke_width(3),
        );
        area.draw(&wide).unwrap();
        area.draw(&Circle::new((60, 60), 7, GREEN.filled()))
            .unwrap();
        area.draw(&Polygon::new(vec![(0, 0), (9, 0), (4, 8)], BLACK.mix(0.2)))
            .unwrap();
        area.draw(&Rectangle::new([(10, 10), (40, 30)], MAGENTA))
            .unwrap();
        area.draw_pixel((3, 4), &CYAN).unwrap();
        let rect = Rect {
            x: 5,
            y: 6,
            w: 2,
            h: 1,
        };
        area.draw(&Raster::fit(&[1, 2, 3, 4, 5, 6], 2, 1, rect))
            .unwrap();
    }

    #[test]
    fn replay_issues_what_direct_drawing_issues() {
        let direct = Log::default();
        scene(&direct.clone().into_drawing_area());
        let mut rec = Recording::new((200, 100));
        scene(&rec.area());
        let replayed = Log::default();
        rec.replay(&mut replayed.clone()).unwrap();
        let (want, got) = (direct.0.borrow(), replayed.0.borrow());
        assert_eq!(rec.len(), want.len());
        assert_eq!(*got, *want);
        for kind in [
            "rect",
            "text σ axis",
            "path",
            "circle",
            "polygon",
            "pixel",
            "blit",
        ] {
            assert!(want.iter().any(|l| l.starts_with(kind)), "{kind}: {want:?}");
        }
    }

    #[test]
    fn text_is_measured_as_the_real_backends_measure_it() {
        crate::register_font();
        let font = TextStyle::from((FontFamily::SansSerif, 12.0).into_font());
        let mut rec = Recording::new((10, 10));
        let got = rec.area().estimate_text_size("μ = 1.5", &font).unwrap();
        let want = Log::default().into_drawing_area();
        assert_eq!(got, want.estimate_text_size("μ = 1.5", &font).unwrap());
        assert!(got.0 > 20 && got.1 > 5, "{got:?}");
        assert!(rec.is_empty());
    }
}
