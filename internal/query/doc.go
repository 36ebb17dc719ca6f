// Package query answers the analyst's questions over a panel (package panel): rankings
// of any node in a year, counts and means by band or grouping, a unit's path across
// years, units side by side, consistency checks of the published editions, the
// catalogue of what the database holds, and exports of every node. Its answers are
// typed rows; labels, languages and formats belong to package present.
//
// Rankings, summaries, trends and comparisons are computed from a panel in memory, so
// that the charts and reports that show them use the same numbers; export and the CSV
// of a ranking read the same values as SQL (panel.Relation) and stream them, which is
// what a million units need.
package query
