// Package sheet reads the spreadsheets people send govpulse — CSV and XLSX
// files with Vietnamese headers — into rows, finds the header row by
// accepted aliases, and parses cells as counts and decimals the way they are
// written in Vietnam and abroad. Every error names the file, the row as Excel
// numbers it (1-based, blank rows counted) and the column (letter and header).
//
// What it tolerates, because police and departments' reports look like this:
//
//   - title rows above the header ("BÁO CÁO …", "Tính đến ngày …"): the header
//     is the first row, within the first HeaderScanRows, where every required
//     column is found;
//   - headers in any case, with or without diacritics, with extra spaces, line
//     breaks or punctuation: they are compared after Fold;
//   - a numbering row under the header ("(1)", "(2)", "(3)=(1)+(2)"), blank rows;
//   - CSV as Excel writes it: UTF-8 with or without BOM, UTF-16 ("Unicode
//     text"), separated by comma, semicolon (Vietnamese locale) or tab;
//   - numbers as "354.938", "354,938", "354 938", "84,60", "1.234,5", "84,6%",
//     and "-" for zero (see ParseInt and ParseNumber).
//
// What it refuses: legacy .xls and non-UTF-8 CSV (with a message saying how to
// save the file), files above the caller's size cap, and XLSX past bounds
// that keep a small hostile file from costing more than ~150 MB of heap:
//
//   - unzipping past MaxUnzipBytes in all or MaxInMemoryBytes outside the
//     worksheets, or zip entries sharing their data (a zip bomb);
//   - more than MaxPartElements elements in the parts excelize decodes whole
//     (workbook, styles, theme, calcChain, relationships), more than
//     MaxSharedStrings shared strings, a shared string or cell text longer
//     than MaxCellBytes, a number format code longer than 1 KiB;
//   - a cell with a value (even spaces) right of the first MaxCols columns
//     (A to IV), more than 1024 formatted cells there, more than 16384 cells
//     in a row, rows past Excel's last (1048576);
//   - more than MaxRows non-blank rows, MaxCells cells (blanks between values
//     counted) or MaxTextBytes of text.
//
// Each is an *Error naming the file and, where there is one, the row and
// column; nothing is cut short silently. Rows are streamed and blank rows
// are not kept, however many; trailing blank cells are dropped.
//
// Folding uses a small Vietnamese table (fold.go) rather than
// golang.org/x/text: đ does not decompose under Unicode normalisation, and the
// table keeps the module's dependencies as they are.
package sheet
