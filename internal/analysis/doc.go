// Package analysis examines a framework's results the way composite-indicator
// builders do (after the JRC's COINr): a statistical audit of the indicators and the
// structure — coverage, distributions, outliers, treatment, correlations with parents and
// between siblings, Cronbach's alpha and principal components per dimension — and
// what-if runs that change weights, normalisations or aggregations and report the rank
// shifts. Both compute through compute.Evaluate and store nothing.
package analysis
