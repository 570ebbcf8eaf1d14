//! How the terminal report is drawn: with colours or plain.

/// How to draw for a terminal: colours only on a TTY and without `NO_COLOR`. Files are always
/// written [`Style::PLAIN`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Style {
    pub color: bool,
}

impl Style {
    pub const PLAIN: Style = Style { color: false };

    /// Colour when stdout is a terminal and `NO_COLOR` is unset (https://no-color.org).
    pub fn detect(choice: ColorChoice) -> Style {
        Style::detect_on(choice, Stream::Stdout)
    }

    /// Colour when `stream` (where the report goes) is a terminal and `NO_COLOR` is unset.
    pub fn detect_on(choice: ColorChoice, stream: Stream) -> Style {
        use std::io::IsTerminal;
        let color = match choice {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                let tty = match stream {
                    Stream::Stdout => std::io::stdout().is_terminal(),
                    Stream::Stderr => std::io::stderr().is_terminal(),
                };
                tty && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            }
        };
        Style { color }
    }

    pub fn paint(&self, text: &str, code: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ColorChoice {
    #[default]
    Auto,
    Always,
    Never,
}

/// The width tables are drawn at when the output is not a terminal (a file, a pipe, CI), unless
/// `COLUMNS` says otherwise.
pub const FILE_WIDTH: u16 = 100;

/// Narrower than this, a table's borders and headers alone do not fit: tables are drawn this wide.
const MIN_WIDTH: u16 = 40;

/// Which stream the terminal report goes to: its width is the one that counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    Stdout,
    Stderr,
}

/// The columns a table may take on `stream`: the terminal's width when it is one, otherwise
/// `COLUMNS` when set to a number, otherwise [`FILE_WIDTH`].
pub fn terminal_width(stream: Stream) -> u16 {
    use std::io::IsTerminal;
    let tty = match stream {
        Stream::Stdout => std::io::stdout().is_terminal(),
        Stream::Stderr => std::io::stderr().is_terminal(),
    };
    let measured = if tty { tty_width(stream) } else { None };
    let columns = std::env::var("COLUMNS").ok();
    width_from(measured, columns.as_deref())
}

/// What the terminal says, else `COLUMNS`, else [`FILE_WIDTH`]; never below [`MIN_WIDTH`].
fn width_from(measured: Option<u16>, columns: Option<&str>) -> u16 {
    measured
        .or_else(|| columns.and_then(|c| c.trim().parse::<u16>().ok()))
        .filter(|w| *w > 0)
        .unwrap_or(FILE_WIDTH)
        .max(MIN_WIDTH)
}

/// comfy-table measures the terminal it would draw on (through crossterm, already in the tree).
fn tty_width(stream: Stream) -> Option<u16> {
    let mut probe = comfy_table::Table::new();
    if stream == Stream::Stderr {
        probe.use_stderr();
    }
    probe.width()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_terminal_wins_then_columns_then_the_file_width() {
        assert_eq!(width_from(Some(132), Some("80")), 132);
        assert_eq!(width_from(None, Some("80")), 80);
        assert_eq!(width_from(None, Some(" 72 ")), 72);
        assert_eq!(width_from(None, Some("wide")), FILE_WIDTH);
        assert_eq!(width_from(None, None), FILE_WIDTH);
        assert_eq!(width_from(None, Some("0")), FILE_WIDTH);
        assert_eq!(width_from(Some(20), None), MIN_WIDTH);
    }
}
