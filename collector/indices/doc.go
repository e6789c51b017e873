// Package indices is the source for the yearly indices the province is
// ranked on (domain.md §6): the PAR Index (total and its 8 fields), SIPAS,
// PAPI, PCI and DTI (total and its 3 pillars) — score, rank and number of
// provinces ranked for every year in its files — and the province's rank
// targets from config (DTI top 10 and PAR top 20 by 2025), exported beside them.
//
// The indices are published once a year, in decisions and the press, so the
// input is files a person keeps: YAML, CSV or XLSX (first sheet). Every file
// is read; a file is parsed again only when it changes. When two files give
// the same index, component and year, the newer file wins. A file with any
// problem is rejected whole — logged with its file and row and column (or
// line and field), counted once under its reason — and its previous valid
// version keeps being served.
//
// # Units
//
// Scores are read as published and exported in base units (DESIGN §3): PAR and
// SIPAS percentages ("84.6", "84,6%") and DTI's 0–1 scores ("0.5432", or
// "54.32%") go to index_score_ratio as 0–1; PCI and PAPI are point scales
// with their own maxima (100 and 80), exported unchanged in
// index_score_points. A bare PAR or SIPAS value of at most 1 is refused as a
// ratio typed where a percentage goes, as is a DTI value above 1.
//
// # Files
//
// YAML (comments say which figures are published and which illustrative):
//
//	province: Thành phố Đà Nẵng   # for people; not exported
//	records:
//	  - {index: par, year: 2023, score: 84.6, rank: 56, ranked: 63}
//	  - {index: par, component: cai_cach_tthc, year: 2023, score: "86,10%"}
//	  - {index: dti, year: 2022, rank: "31/63", source: "Bộ TT&TT 2023"}
//
// CSV and XLSX: one row per index, component and year, with the header
// matched case- and diacritics-insensitively (Columns):
//
//	index      Chỉ số | Tên chỉ số | Chỉ số đánh giá | Bộ chỉ số
//	component  Thành phần | Lĩnh vực | Chỉ số thành phần | Trụ cột | Lĩnh vực, trụ cột | Nội dung
//	(optional; blank = total)
//	year       Năm | Năm đánh giá
//	score      Điểm | Điểm số | Điểm đạt được | Kết quả | Giá trị | Chỉ số đạt được
//	rank       Xếp hạng | Thứ hạng | Hạng | Vị trí     ("56/63" gives rank and ranked)
//	ranked     Số tỉnh xếp hạng | Tổng số tỉnh | Số tỉnh, thành phố | Trên tổng số | Số địa phương | of | out of
//
// A row needs a score or a rank. Index and component cells take the codes
// (par, sipas, papi, pci, dti; total, cai_cach_tthc, kinh_te_so, …; see
// catalog.Indices) or the names, in Vietnamese or English, with or without
// diacritics ("Cải cách thủ tục hành chính", "Kinh tế số", "digital economy").
package indices
