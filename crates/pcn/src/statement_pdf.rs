//! A network's statement as PDF (feature `pdf`): A4 landscape, the PDF
//! standard Helvetica (no fonts embedded or looked up), a summary by stream,
//! then every line with its basis and rate, then totals by month.

use printpdf::{BuiltinFont, Mm, Op, PdfDocument, PdfFontHandle, PdfPage, PdfSaveOptions, Point, Pt, TextItem};

/// One row of text cells at fixed x positions (mm from the left edge).
pub struct Row {
    pub cells: Vec<(f32, String)>,
    pub bold: bool,
}

const PAGE_W: f32 = 297.0;
const PAGE_H: f32 = 210.0;
const TOP: f32 = 195.0;
const BOTTOM: f32 = 15.0;
const LINE: f32 = 4.6;

fn text(ops: &mut Vec<Op>, x: f32, y: f32, size: f32, bold: bool, s: &str) {
    ops.push(Op::StartTextSection);
    ops.push(Op::SetTextCursor { pos: Point::new(Mm(x), Mm(y)) });
    let font = if bold { BuiltinFont::HelveticaBold } else { BuiltinFont::Helvetica };
    ops.push(Op::SetFont { font: PdfFontHandle::Builtin(font), size: Pt(size) });
    ops.push(Op::ShowText { items: vec![TextItem::Text(s.to_string())] });
    ops.push(Op::EndTextSection);
}

/// Lays the title, notes and rows out over as many pages as they need; every
/// page repeats the title and carries "page n of m".
pub fn render(title: &str, notes: &[String], rows: &[Row], optimize: bool) -> Vec<u8> {
    let mut pages_ops: Vec<Vec<Op>> = Vec::new();
    let mut ops = Vec::new();
    let mut y = TOP;
    let start_page = |ops: &mut Vec<Op>, first: bool| -> f32 {
        text(ops, 12.0, TOP, 14.0, true, title);
        let mut y = TOP - 8.0;
        if first {
            for n in notes {
                text(ops, 12.0, y, 8.5, false, n);
                y -= LINE;
            }
            y -= 2.0;
        }
        y
    };
    y = y.min(start_page(&mut ops, true));
    for row in rows {
        if y < BOTTOM {
            pages_ops.push(std::mem::take(&mut ops));
            y = start_page(&mut ops, false);
        }
        for (x, s) in &row.cells {
            text(&mut ops, *x, y, 7.5, row.bold, s);
        }
        y -= LINE;
    }
    pages_ops.push(ops);
    let n = pages_ops.len();
    let pages: Vec<PdfPage> = pages_ops
        .into_iter()
        .enumerate()
        .map(|(i, mut ops)| {
            text(&mut ops, PAGE_W - 40.0, 8.0, 7.5, false, &format!("page {} of {n}", i + 1));
            PdfPage::new(Mm(PAGE_W), Mm(PAGE_H), ops)
        })
        .collect();
    let mut warnings = Vec::new();
    PdfDocument::new(title).with_pages(pages).save(&PdfSaveOptions { optimize, ..Default::default() }, &mut warnings)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_break_and_text_is_there() {
        let rows: Vec<Row> = (0..100).map(|i| Row { cells: vec![(12.0, format!("line {i}"))], bold: false }).collect();
        let pdf = render("U00001 test", &["a note".into()], &rows, false);
        assert!(pdf.starts_with(b"%PDF-"));
        let body = String::from_utf8_lossy(&pdf);
        assert!(body.contains("line 99") && body.contains("U00001 test"));
        // 100 rows at 4.6 mm from 180 mm down to 15 mm: 36 on the first page, then 39 a page.
        assert!(body.contains("page 3 of 3"), "three pages expected");
    }
}
