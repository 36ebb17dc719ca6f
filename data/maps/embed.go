// Package maps holds the shapes egdi serve draws its maps with and embeds them:
// world-110m.csv, the countries of Natural Earth 1:110m projected to SVG paths by
// data/scripts/build-world-map.mjs (with small-states.csv, the Member States too small
// for that scale), and cn-province-tiles.csv, the tile grid of China's 31
// provincial-level divisions. README.md gives their provenance and licence.
package maps

import "embed"

// FS holds the map files.
//
//go:embed world-110m.csv small-states.csv cn-province-tiles.csv
var FS embed.FS

// World is the world map's file: id (ISO 3166 numeric), iso3, name, path (SVG path
// data in a 1000 × 480 view box, equirectangular, 84°N to 60°S).
const World = "world-110m.csv"

// ProvinceTiles is the tile grid's file: code (GB/T 2260), name, col, row.
const ProvinceTiles = "cn-province-tiles.csv"
