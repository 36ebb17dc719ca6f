package panel

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/egdi/egdi/internal/refdata"
	"github.com/egdi/egdi/internal/store"
)

// ResolveUnits turns codes or names (any spelling of a Member State, or a unit's code,
// English or Chinese name) into unit codes, in order, with a clear error for unknown ones.
func ResolveUnits(ctx context.Context, db *store.DB, in []string) ([]string, error) {
	var out []string
	for _, s := range in {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		var code string
		err := db.QueryRowContext(ctx, `SELECT unit FROM units WHERE upper(unit) = upper(?) OR lower(name) = lower(?) OR name_zh = ?
			ORDER BY upper(unit) = upper(?) DESC LIMIT 1`, s, s, s, s).Scan(&code)
		if errors.Is(err, sql.ErrNoRows) {
			c := refdata.Match(s)
			if c == nil {
				return nil, fmt.Errorf("unknown unit %q: give an ISO3 code (CHN), a country name, or the code of a unit in your data", s)
			}
			code = c.ISO3
		} else if err != nil {
			return nil, err
		}
		out = append(out, code)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no units given; list them like --units CHN,KOR,JPN")
	}
	return out, nil
}
