// Package framework reads and validates index frameworks: the files under data/methods
// (and users' own YAML) that describe how raw indicators become an index.
//
// A framework is a tree of nodes. Leaves are indicators; every other node combines its
// children. For one survey year and the units in scope:
//
//	indicator value = normalise(treat(raw))          treat: cap, floor, direction
//	node value      = normalise(aggregate(children)) aggregate: weighted arithmetic mean
//
// with weights normalised within their parent. Normalisations are taken over the units
// of that year: z-score (x−μ)/σ with the population σ, min-max (x−min)/(max−min) times
// the output scale, goalposts (x−lo)/(hi−lo), or none. The UN EGDI is one instance:
// each TII indicator capped at 120, z-scored, averaged, the mean min-max normalised, and
// EGDI the plain mean of OSI, TII and HCI.
//
// Nodes not reachable from the root are supplementary indices computed alongside (the
// UN's EPI). Bands (the UN groups) and classes (the rating classes) are ordered
// lower bounds applied to the root value rounded to the framework's digits, on which
// ranks are also taken ("competition" 1224 or "dense" 1223).
package framework
