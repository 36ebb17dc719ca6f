// Package uncertainty measures how far a framework's ranks depend on its choices, as
// the OECD/JRC Handbook on Constructing Composite Indicators (2008) asks: uncertainty
// analysis (each unit's rank over replications with the uncertain choices drawn at
// random) and variance-based sensitivity analysis (Sobol indices from a Saltelli
// design), and the removal of one element at a time (COINr's remove_elements).
//
// The framework is compiled once (compute.Plan, egdi compute's own evaluation) over
// the columns egdi compute evaluated (compute.Load): the indicators' values after
// denomination, screening and imputation (one column per imputation alternative), then
// treatment, normalisation, aggregation and ranking, so that a replication at the
// framework's own choices gives compute's ranks and values. An Evaluator keeps each
// indicator's column per choice, so a replication recomputes only what its choices
// change. Replications are split over the
// cores, each drawing from a generator seeded by the run's seed and its own number:
// the output does not depend on the number of cores. Runs are stored with every
// replication's drawn parameters and ranks (Save).
package uncertainty
