// Package refdata is egdi's table of the 193 UN Member States: ISO3 and M49 codes,
// M49 region and sub-region, LDC/LLDC/SIDS membership, English and Chinese names, and
// the historical spellings the survey editions used. It matches a country written any
// of those ways, whatever the spacing, case, accents or punctuation.
package refdata

import (
	"encoding/csv"
	"fmt"
	"sort"
	"strings"
	"sync"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/egdi/egdi/data"
)

// Country is one Member State.
type Country struct {
	ISO3        string
	M49         string
	Name        string
	NameZh      string
	Region      string
	RegionZh    string
	Subregion   string
	SubregionZh string
	LDC         bool
	LLDC        bool
	SIDS        bool
	Aliases     []string
	// Short is a common short English name where the UN name is long ("United
	// Kingdom"), for charts; empty when Name is short enough.
	Short string
}

var (
	once      sync.Once
	countries []Country
	byISO     map[string]*Country
	byName    map[string]*Country
	loadErr   error
)

func load() {
	f, err := data.FS.Open("refdata/countries.csv")
	if err != nil {
		loadErr = err
		return
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		loadErr = fmt.Errorf("refdata/countries.csv: %w", err)
		return
	}
	byISO = map[string]*Country{}
	byName = map[string]*Country{}
	for _, r := range rows[1:] {
		c := Country{ISO3: r[0], M49: r[1], Name: r[2], NameZh: r[3], Region: r[4], RegionZh: r[5],
			Subregion: r[6], SubregionZh: r[7], LDC: r[8] == "1", LLDC: r[9] == "1", SIDS: r[10] == "1"}
		if len(r) > 12 {
			c.Short = r[12]
		}
		if r[11] != "" {
			c.Aliases = strings.Split(r[11], "|")
		}
		countries = append(countries, c)
	}
	for i := range countries {
		c := &countries[i]
		byISO[c.ISO3] = c
		for _, n := range append([]string{c.Name, c.NameZh, c.ISO3}, c.Aliases...) {
			byName[compact(n)] = c
		}
	}
}

// All returns the Member States sorted by ISO3.
func All() []Country {
	once.Do(load)
	if loadErr != nil {
		panic(loadErr) // the embedded table is part of the binary; a failure is a build bug
	}
	return countries
}

// ByISO3 returns the Member State with the code (any case), or nil.
func ByISO3(code string) *Country {
	All()
	return byISO[strings.ToUpper(strings.TrimSpace(code))]
}

// Match finds a Member State by ISO3 code or by any of its names.
func Match(s string) *Country {
	if c := ByISO3(s); c != nil {
		return c
	}
	return byName[compact(s)]
}

// Suggest returns up to n Member State names that share the most words with s, for
// "did you mean" hints.
func Suggest(s string, n int) []string {
	All()
	words := strings.Fields(Key(s))
	type cand struct {
		name  string
		score int
	}
	var cs []cand
	for _, c := range countries {
		k := Key(c.Name)
		score := 0
		for _, w := range words {
			if len(w) > 2 && strings.Contains(k, w) {
				score += len(w)
			}
		}
		if len(words) > 0 && len(words[0]) > 2 && strings.HasPrefix(k, words[0][:3]) {
			score++
		}
		if score > 0 {
			cs = append(cs, cand{c.Name, score})
		}
	}
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].score > cs[j].score })
	var out []string
	for i := 0; i < len(cs) && i < n; i++ {
		out = append(out, cs[i].name)
	}
	return out
}

// compact is the lookup key: Key without spaces, so "Cote d Ivoire" and
// "Côte d'Ivoire" meet.
func compact(s string) string { return strings.ReplaceAll(Key(s), " ", "") }

// Key folds a name for matching: accents removed, lower case, "&" read as "and",
// punctuation dropped, spaces collapsed, a leading "the" dropped.
func Key(s string) string {
	s = norm.NFKD.String(strings.TrimSpace(s))
	var b strings.Builder
	space := false
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case r == '&':
			b.WriteString(" and ")
			space = false
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(unicode.ToLower(r))
			space = false
		case r == '\'' || r == '\u2019':
			continue // "Cote d'Ivoire" and "Cote dIvoire" are the same name
		default:
			if !space {
				b.WriteByte(' ')
				space = true
			}
		}
	}
	k := strings.Join(strings.Fields(b.String()), " ")
	return strings.TrimPrefix(k, "the ")
}
