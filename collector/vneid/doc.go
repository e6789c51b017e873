// Package vneid is the source for level-2 electronic identification (định danh
// điện tử mức 2, VNeID; Đề án 06): per commune or ward, and for the province,
// the applications collected, the accounts issued and the accounts activated
// (domain.md §5), plus the configured population aged 14+ that coverage is
// measured against. It exports counts only; the activation rate (activated /
// issued) and the coverage (activated / population 14+) are ratios of sums
// for recording rules (catalog.VNeIDActivationRate, catalog.VNeIDCoverage).
//
// # Inputs
//
// Mode http reads govpulse's JSON report from <http.url><path> (default
// /vneid/v1/level2), cumulative counts as of a date:
//
//	{
//	  "schema": "govpulse.vneid/v1",            // optional; another value is refused
//	  "as_of": "2026-11-20",                    // required: the date the counts refer to
//	  "units": [
//	    {"code": "000.01.31.H47", "name": "Phường An Mỹ",   // name is ignored
//	     "applications": 9120, "issued": 8450, "activated": 4630}
//	  ]
//	}
//
// Counts are JSON whole numbers, or strings as a spreadsheet writes them
// ("9.120"). A unit that is not an object, lacks a field, or has a count that
// is not a whole number is dropped as malformed; a negative count as
// negative_count; the rest of the report is kept. As the upstream sends the
// whole report on every run, its bad units are counted on every run; the
// warning that sums them up is logged again only when it changes. A body
// that is not this shape, lacks as_of, is dated after today or has no valid
// unit fails the run, and the previous data stays.
//
// Mode dir reads the reports the police drop as files into a directory: CSV
// (UTF-8, UTF-16, comma, semicolon or tab) or XLSX (first sheet). The newest
// valid file wins, by modification time and then by name. The header row may
// sit under a title block; it is matched case- and diacritics-insensitively
// against these accepted texts (ReportColumns):
//
//	code          Mã đơn vị | Mã | Mã ĐVHC | Mã đơn vị hành chính | Mã xã | Mã định danh |
//	              Mã định danh đơn vị | Mã cơ quan | unit | commune | agency
//	name          Tên đơn vị | Đơn vị | Tên xã | Xã, phường, thị trấn | Xã, phường, đặc khu |
//	(optional)    Địa bàn | Đơn vị hành chính
//	applications  Số hồ sơ thu nhận | Hồ sơ thu nhận | Số hồ sơ đã thu nhận | Tổng số hồ sơ thu nhận |
//	              Số hồ sơ định danh điện tử mức 2 đã thu nhận | Số hồ sơ ĐDĐT mức 2 đã thu nhận |
//	              Thu nhận | Đã thu nhận | Số hồ sơ | applications
//	issued        Số tài khoản đã cấp | Tài khoản đã cấp | Số tài khoản được cấp | Số TK đã cấp |
//	              Số tài khoản ĐDĐT mức 2 đã cấp | Đã cấp | issued | accounts issued
//	activated     Số tài khoản đã kích hoạt | Tài khoản đã kích hoạt | Số TK đã kích hoạt |
//	              Số tài khoản ĐDĐT mức 2 đã kích hoạt | Đã kích hoạt | Kích hoạt | activated |
//	              accounts activated
//
// Other columns (STT, Tỷ lệ, Ghi chú) are ignored, as are a numbering row
// under the header, a total row ("Tổng cộng") and rows without code and counts
// (notes, signatures). The report's date is the "Tính đến ngày dd/mm/yyyy"
// line above the header, else a yyyy-mm-dd (or yyyymmdd) date in the file
// name, else the file's modification date.
//
// A file with a wrong header, text in a count, a negative count or a count
// without a code is rejected whole: the warning names its file, row and
// column, the file is counted once under its reason (malformed,
// negative_count) in govpulse_source_records_rejected_total, and the previous
// file's data stays. Within a valid file, a row whose code is not a
// configured agency (unknown_code) or not a code at all (bad_code), repeats a
// code (duplicate) or has more accounts activated than issued (inconsistent)
// is dropped, logged with its row and counted once.
//
// # Codes and levels
//
// Codes are agency e-ID codes, or codes translated by code_map (for example
// national administrative unit codes), and must be configured agencies. Each
// unit is exported with its configured level; the province's row is the
// report's own when it has one, otherwise the sum of the report's finest
// level (communes, else districts), exported under the province's agency
// (province_agency, by default the one agency of level tinh). Population
// figures come from config: population_14plus for the province and
// population_file (columns Mã đơn vị; Dân số từ 14 tuổi trở lên — see
// PopulationColumns) per unit.
//
// deploy/vneid holds a police-style report and a population file of the
// simulated province, kept in step with it by the simulator's tests.
package vneid
