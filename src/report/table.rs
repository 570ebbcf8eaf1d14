//! Terminal tables that fit a width: no table is drawn wider than it is given (the terminal's, or
//! [`super::FILE_WIDTH`]). When the content is wider, the table first hides the columns it may do
//! without (counts that are zero everywhere), then narrows its name columns, then, on a very narrow
//! terminal, every column; a cell that does not fit keeps one line, cut with `…`.

use comfy_table::{presets, Cell, ColumnConstraint, ContentArrangement, Row, Table, Width};

/// Content narrower than this is not made narrower while another column can give way.
const NAME_MIN: u16 = 8;
/// Under this, a column shows nothing but `…`.
const CELL_MIN: u16 = 1;

/// A table drawn in the report's style, cells one line high.
pub(crate) fn new_table() -> Table {
    let mut t = Table::new();
    t.load_style(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_truncation_indicator("…")
        // A cell is one word: a name is cut where its column ends, not at its first space.
        .set_delimiter('\u{0}');
    t
}

/// A row that stays one line high when its cells are cut.
pub(crate) fn one_line(cells: Vec<Cell>) -> Row {
    let mut row = Row::from(cells);
    row.max_height(1);
    row
}

/// A header row, one line high.
pub(crate) fn header_row(names: &[&str]) -> Row {
    one_line(names.iter().map(|n| Cell::new(*n)).collect())
}

/// Which columns give way, in order, when the table is too wide.
#[derive(Debug, Default)]
pub(crate) struct Fit<'a> {
    /// Columns that may be hidden (their content says nothing), the first hidden first.
    pub hideable: &'a [usize],
    /// Name columns that may be narrowed (down to [`NAME_MIN`]), in tiers: the first tier gives
    /// way first; in a tier the widest column gives one character at a time, so its names end up
    /// evenly cut.
    pub narrowable: &'a [&'a [usize]],
}

/// Makes the table at most `width` columns wide (borders included).
pub(crate) fn fit(t: &mut Table, width: u16, how: Fit) {
    t.set_width(width);
    let mut widths: Vec<u16> = t.column_max_content_widths();
    let mut hidden = vec![false; widths.len()];
    let drawn = |widths: &[u16], hidden: &[bool]| -> u32 {
        let shown: Vec<u32> = widths
            .iter()
            .zip(hidden)
            .filter(|(_, h)| !**h)
            .map(|(w, _)| u32::from(*w) + 2)
            .collect();
        shown.iter().sum::<u32>() + shown.len() as u32 + 1
    };
    let limit = u32::from(width);
    if drawn(&widths, &hidden) <= limit {
        return;
    }
    for &i in how.hideable.iter().filter(|i| **i < widths.len()) {
        if drawn(&widths, &hidden) <= limit {
            break;
        }
        hidden[i] = true;
    }
    // Then, on a very narrow terminal, every column.
    let columns = widths.len();
    let all: Vec<usize> = (0..columns).filter(|i| !hidden[*i]).collect();
    let tiers = how
        .narrowable
        .iter()
        .map(|tier| (*tier, NAME_MIN))
        .chain([(&all[..], CELL_MIN)]);
    for (tier, floor) in tiers {
        while drawn(&widths, &hidden) > limit {
            let widest = tier
                .iter()
                .copied()
                .filter(|i| *i < columns && widths[*i] > floor)
                .max_by_key(|i| widths[*i]);
            match widest {
                Some(i) => widths[i] -= 1,
                None => break,
            }
        }
    }
    for (i, column) in t.column_iter_mut().enumerate() {
        column.set_constraint(if hidden[i] {
            ColumnConstraint::Hidden
        } else {
            ColumnConstraint::Absolute(Width::Fixed(widths[i] + 2))
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> Table {
        let mut t = new_table();
        t.set_header(header_row(&["name", "zero", "n"]));
        t.add_row(one_line(
            ["a rather long module name (module)", "0", "12"]
                .map(Cell::new)
                .to_vec(),
        ));
        t
    }

    fn widest_line(t: &Table) -> usize {
        t.to_string()
            .lines()
            .map(|l| l.chars().count())
            .max()
            .unwrap_or_default()
    }

    #[test]
    fn a_table_that_fits_is_drawn_as_it_is() {
        let mut t = table();
        fit(&mut t, 100, Fit::default());
        assert!(t.to_string().contains("a rather long module name (module)"));
    }

    #[test]
    fn first_the_hideable_columns_go_then_names_are_cut_never_wider_than_given() {
        let mut t = table();
        fit(
            &mut t,
            40,
            Fit {
                hideable: &[1],
                narrowable: &[&[0]],
            },
        );
        let text = t.to_string();
        assert!(!text.contains("zero"), "{text}");
        assert!(
            text.contains("│ a rather long module name (mod… ┆ 12 │"),
            "{text}"
        );
        assert_eq!(widest_line(&t), 40, "{text}");
        for width in [16, 20, 33] {
            let mut t = table();
            fit(
                &mut t,
                width,
                Fit {
                    hideable: &[],
                    narrowable: &[&[0]],
                },
            );
            assert!(widest_line(&t) <= usize::from(width), "{width}: {t}");
        }
    }
}
