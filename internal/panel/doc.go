// Package panel is egdi's one read model: every value the database holds, published
// or computed, as (dataset or published edition, unit, year, node) → value, with the
// node's rank and, for the root, its band and class, and the run each value comes
// from. The UN's published editions are runs of the dataset "published" under the
// un-YYYY frameworks; a computation is a run of its dataset under its framework.
//
// A query first selects runs (Select), year by year:
//
//   - with a dataset named, that dataset's runs, and below them the published editions
//     when its framework is a UN one (its root is a node of the published EGDI);
//   - without, the published editions and every computation of a UN framework over
//     real data, the latest computation first; when those have nothing for the years
//     asked, the most recently computed dataset that has them (a provincial dataset, or
//     the synthetic sample of the demo).
//
// Values are then resolved value by value: for each (unit, year, node), the value of
// the first run in that order that has it. A node therefore never presents a value as
// computed that its run did not compute: after a TII-only computation the EGDI stays
// the published one, with the computed TII beside the published OSI and HCI.
//
// Ranks are the ranks a run stored for its root where one run holds all of a year's
// values of that node (the published ranks, ties included); otherwise they are taken
// afresh over the resolved values rounded to the year's digits, by the framework's
// rule (competition 1224 or dense 1223), as egdi compute does. Units a run lists
// without scoring them (not assessed, or placeholders ranked with EGDI 0) have a status
// and no values: they are left out of ranks, counts, means and charts.
//
// Load reads a selection into memory (Panel) for the analyses, charts and reports;
// Stream reads a year of it row by row, in rank order, for a report of more units than
// memory should hold (a ranking of a million); Relation gives the same values as SQL
// for the outputs DuckDB writes itself (export, and CSV of long rankings).
package panel
