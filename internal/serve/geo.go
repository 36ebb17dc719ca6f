package serve

import (
	"encoding/csv"
	"fmt"
	"strconv"

	"github.com/egdi/egdi/data/maps"
)

// shape is one country of the world map: SVG path data in a 1000 × 480 view box.
type shape struct {
	ISO3, Name, Path string
}

// tile is one unit's place in a tile grid.
type tile struct {
	Col, Row int
}

type geography struct {
	world []shape
	tiles map[string]tile // by unit code
}

func readCSV(name string) ([][]string, error) {
	f, err := maps.FS.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("data/maps/%s: %w", name, err)
	}
	if len(recs) < 2 {
		return nil, fmt.Errorf("data/maps/%s is empty", name)
	}
	return recs[1:], nil
}

func loadGeography() (*geography, error) {
	g := &geography{tiles: map[string]tile{}}
	recs, err := readCSV(maps.World)
	if err != nil {
		return nil, err
	}
	for _, r := range recs {
		g.world = append(g.world, shape{ISO3: r[1], Name: r[2], Path: r[3]})
	}
	recs, err = readCSV(maps.ProvinceTiles)
	if err != nil {
		return nil, err
	}
	for i, r := range recs {
		c, err1 := strconv.Atoi(r[2])
		w, err2 := strconv.Atoi(r[3])
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("data/maps/%s line %d: col and row must be numbers", maps.ProvinceTiles, i+2)
		}
		g.tiles[r[0]] = tile{Col: c, Row: w}
	}
	return g, nil
}
