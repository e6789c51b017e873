package vneid

import "github.com/govpulse/govpulse/collector/sheet"

// Column keys of a report file.
const (
	colCode         = "code"
	colName         = "name"
	colApplications = "applications"
	colIssued       = "issued"
	colActivated    = "activated"
	colPopulation   = "population_14plus"
)

// codeColumn is the unit's code, in reports and in the population file.
var codeColumn = sheet.Column{
	Key: colCode, Name: "Mã đơn vị", Required: true,
	Aliases: []string{"Mã", "Mã ĐVHC", "Mã đơn vị hành chính", "Mã xã", "Mã định danh", "Mã định danh đơn vị", "Mã cơ quan", "unit", "commune", "agency"},
}

// ReportColumns are the columns of a police report file and the header texts
// each accepts (compared case- and diacritics-insensitively, see sheet.Fold).
// Other columns (STT, Ghi chú, Tỷ lệ, …) are ignored.
var ReportColumns = []sheet.Column{
	codeColumn,
	{Key: colName, Name: "Tên đơn vị", Aliases: []string{"Đơn vị", "Tên xã", "Xã, phường, thị trấn", "Xã, phường, đặc khu", "Địa bàn", "Đơn vị hành chính"}},
	{Key: colApplications, Name: "Số hồ sơ thu nhận", Required: true, Aliases: []string{
		"Hồ sơ thu nhận", "Số hồ sơ đã thu nhận", "Tổng số hồ sơ thu nhận", "Số hồ sơ định danh điện tử mức 2 đã thu nhận",
		"Số hồ sơ ĐDĐT mức 2 đã thu nhận", "Thu nhận", "Đã thu nhận", "Số hồ sơ", "applications"}},
	{Key: colIssued, Name: "Số tài khoản đã cấp", Required: true, Aliases: []string{
		"Tài khoản đã cấp", "Số tài khoản được cấp", "Số TK đã cấp", "Số tài khoản ĐDĐT mức 2 đã cấp", "Đã cấp", "issued", "accounts issued"}},
	{Key: colActivated, Name: "Số tài khoản đã kích hoạt", Required: true, Aliases: []string{
		"Tài khoản đã kích hoạt", "Số TK đã kích hoạt", "Số tài khoản ĐDĐT mức 2 đã kích hoạt", "Đã kích hoạt", "Kích hoạt", "activated", "accounts activated"}},
}

// PopulationColumns are the columns of the population file.
var PopulationColumns = []sheet.Column{
	codeColumn,
	{Key: colName, Name: "Tên đơn vị", Aliases: []string{"Đơn vị", "Tên xã"}},
	{Key: colPopulation, Name: "Dân số từ 14 tuổi trở lên", Required: true, Aliases: []string{
		"Dân số từ đủ 14 tuổi trở lên", "Dân số từ 14 tuổi", "Dân số 14+", "Dân số từ 14 tuổi trở lên (người)", "population", "population 14+"}},
}

// countColumns are the report's counts in unitRow.counts order.
var countColumns = [3]string{colApplications, colIssued, colActivated}
