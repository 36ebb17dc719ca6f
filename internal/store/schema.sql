-- egdi's tables, schema version 5. Names of datasets, indicators, nodes, bands and
-- classes are stored as numbers (codes); units by key (hash of the code). Read the
-- views (views.sql); write the tables.
CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE TABLE IF NOT EXISTS unit_list (
  unit_key UBIGINT NOT NULL, unit VARCHAR NOT NULL USING COMPRESSION fsst, name VARCHAR, name_zh VARCHAR, kind VARCHAR);
CREATE TABLE IF NOT EXISTS member_states (
  unit_key UBIGINT NOT NULL, m49 VARCHAR, region VARCHAR, region_zh VARCHAR, subregion VARCHAR, subregion_zh VARCHAR,
  ldc BOOLEAN, lldc BOOLEAN, sids BOOLEAN);
CREATE TABLE IF NOT EXISTS datasets (
  dataset VARCHAR PRIMARY KEY, synthetic BOOLEAN, description VARCHAR);
CREATE TABLE IF NOT EXISTS codes (id INTEGER PRIMARY KEY, code VARCHAR NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS raw_values (
  dataset_id INTEGER NOT NULL, unit_key UBIGINT NOT NULL, year INTEGER NOT NULL,
  indicator_id INTEGER NOT NULL, value DOUBLE NOT NULL);
-- One row per stored set of node values: a published edition (dataset 'published',
-- source 'published') or a computation (source 'computed') of a dataset and year.
CREATE TABLE IF NOT EXISTS runs (
  run_id INTEGER NOT NULL, dataset VARCHAR NOT NULL, year INTEGER NOT NULL, source VARCHAR NOT NULL,
  method VARCHAR NOT NULL, method_origin VARCHAR, method_sha256 VARCHAR, inputs_checksum VARCHAR, inputs_rows BIGINT,
  engine_version VARCHAR, computed_at TIMESTAMP, root VARCHAR, digits INTEGER, ranking VARCHAR,
  framework_json VARCHAR, PRIMARY KEY (dataset, year));
-- The nodes each run holds values of, with the number of units, and where a node's
-- values are in the lists of node_lists (ord; NULL for the root, kept in root_values).
CREATE TABLE IF NOT EXISTS run_nodes (run_id INTEGER NOT NULL, node VARCHAR NOT NULL, units INTEGER NOT NULL, ord INTEGER);
-- A run's node values, one row per unit: value[ord] is the unit's value of the run's
-- node of that ord (run_nodes), NULL for none. Read them long in the view node_values.
CREATE TABLE IF NOT EXISTS node_lists (
  dataset_id INTEGER NOT NULL, year INTEGER NOT NULL, unit_key UBIGINT NOT NULL, value DOUBLE[] NOT NULL);
CREATE TABLE IF NOT EXISTS root_values (
  dataset_id INTEGER NOT NULL, year INTEGER NOT NULL, unit_key UBIGINT NOT NULL,
  value DOUBLE, rank INTEGER, band_id INTEGER, class_id INTEGER);
-- Units a run lists but does not score: 'not_assessed' (published without scores) or
-- 'placeholder' (published with a rank and EGDI 0). Their stored values, if any, are
-- kept for egdi check and left out of every ranking, count, mean and chart.
CREATE TABLE IF NOT EXISTS excluded (
  dataset_id INTEGER NOT NULL, year INTEGER NOT NULL, unit_key UBIGINT NOT NULL, reason VARCHAR NOT NULL, detail VARCHAR);
-- Groupings of one's own (egdi import groups): each unit's group in a grouping, with
-- an optional Chinese label and the group's place in the file (groups are listed in
-- that order). The M49 groupings come from member_states (view unit_groups).
CREATE TABLE IF NOT EXISTS groupings (
  grouping VARCHAR NOT NULL, unit_key UBIGINT NOT NULL, grp VARCHAR NOT NULL, grp_zh VARCHAR, ord INTEGER);
-- What a grouping of one's own is called ("economic region", 经济区域), for titles.
CREATE TABLE IF NOT EXISTS grouping_labels (grouping VARCHAR PRIMARY KEY, label VARCHAR, label_zh VARCHAR);
CREATE TABLE IF NOT EXISTS imports (
  kind VARCHAR, dataset VARCHAR, file VARCHAR, sha256 VARCHAR, rows BIGINT, imported_at TIMESTAMP);
-- Uncertainty and sensitivity runs (egdi uncertainty): a framework evaluated again and
-- again under uncertain choices (inputs: the --vary texts), tied to the data by the
-- inputs' checksum. Every replication's drawn parameters and every unit's rank are
-- kept, one row per replication holding lists: uncertainty_ranks.rank[k] is
-- the rank (0: none) of the unit of uncertainty_units.ord k − 1, and
-- uncertainty_draws.value[k] / choice[k] the parameter of uncertainty_parameters.ord
-- k − 1. Read them long, by unit code and parameter, in the views uncertainty_unit_ranks
-- and uncertainty_drawn.
CREATE TABLE IF NOT EXISTS uncertainty_runs (
  ua_id INTEGER PRIMARY KEY, dataset VARCHAR NOT NULL, year INTEGER NOT NULL, method VARCHAR NOT NULL,
  method_origin VARCHAR, method_sha256 VARCHAR, inputs_checksum VARCHAR, seed UBIGINT NOT NULL,
  samples INTEGER NOT NULL, evaluations INTEGER NOT NULL, sobol BOOLEAN NOT NULL, inputs VARCHAR[] NOT NULL,
  engine_version VARCHAR, computed_at TIMESTAMP);
CREATE TABLE IF NOT EXISTS uncertainty_parameters (
  ua_id INTEGER NOT NULL, ord INTEGER NOT NULL, input VARCHAR NOT NULL, component VARCHAR);
CREATE TABLE IF NOT EXISTS uncertainty_draws (
  ua_id INTEGER NOT NULL, replication INTEGER NOT NULL, value DOUBLE[], choice VARCHAR[]);
CREATE TABLE IF NOT EXISTS uncertainty_ranks (
  ua_id INTEGER NOT NULL, replication INTEGER NOT NULL, rank INTEGER[] NOT NULL);
CREATE TABLE IF NOT EXISTS uncertainty_units (
  ua_id INTEGER NOT NULL, unit_key UBIGINT NOT NULL, ord INTEGER NOT NULL, nominal_value DOUBLE, nominal_rank INTEGER,
  ranked INTEGER, mean_rank DOUBLE, median_rank DOUBLE, p05_rank DOUBLE, p95_rank DOUBLE, band_share MAP(VARCHAR, DOUBLE));
CREATE TABLE IF NOT EXISTS uncertainty_sobol (
  ua_id INTEGER NOT NULL, ord INTEGER NOT NULL, factor VARCHAR NOT NULL, unit VARCHAR, first DOUBLE, first_lo DOUBLE, first_hi DOUBLE,
  total DOUBLE, total_lo DOUBLE, total_hi DOUBLE);
