package sheet

import (
	"strings"
	"unicode"
)

// viBase maps every lower-case Vietnamese letter with a diacritic to its base
// letter. Upper case is lowered first; combining marks (text in NFD form, as
// some Mac tools write it) are dropped before the lookup.
var viBase = func() map[rune]rune {
	m := map[rune]rune{}
	for base, variants := range map[rune]string{
		'a': "àáảãạăằắẳẵặâầấẩẫậ",
		'e': "èéẻẽẹêềếểễệ",
		'i': "ìíỉĩị",
		'o': "òóỏõọôồốổỗộơờớởỡợ",
		'u': "ùúủũụưừứửữự",
		'y': "ỳýỷỹỵ",
		'd': "đ",
	} {
		for _, r := range variants {
			m[r] = base
		}
	}
	return m
}()

// Fold returns s in the form headers and labels are compared in: lower case,
// without Vietnamese diacritics, every run of characters other than letters
// and digits turned into one space, trimmed. "Số tài khoản\nđã KÍCH HOẠT" and
// "so tai khoan da kich hoat" fold alike.
func Fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		r = unicode.ToLower(r)
		if base, ok := viBase[r]; ok {
			r = base
		}
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(r)
			continue
		}
		space = true
	}
	return b.String()
}

// IsTotalLabel reports whether s reads like the label of a total row
// ("Tổng cộng", "TỔNG", "Cộng", "Toàn tỉnh"), which reports add under the
// units and which is not a unit.
func IsTotalLabel(s string) bool {
	switch f := Fold(s); f {
	case "tong", "cong", "total", "toan tinh", "tong toan tinh":
		return true
	default:
		// "Tổng cộng", "Tổng số (toàn tỉnh)"; not "Công an xã".
		return strings.HasPrefix(f, "tong ")
	}
}
