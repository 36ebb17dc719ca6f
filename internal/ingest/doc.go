// Package ingest reads survey data into the store, each import in one transaction:
//
//   - published index tables (UN Data Center exports, re-exports with ISO3 codes, any
//     table mapped with --map) into the published table, countries matched by code or by
//     any spelling of their name;
//   - raw indicators, long (unit,year,indicator,value) or wide (unit,year,<indicator>...),
//     from CSV, XLSX or Parquet, and the ITU DataHub and Our World in Data export formats,
//     into indicator_values (stored as raw_values, with dataset and indicator names as
//     numbers; see package store).
//
// Bad input is refused with the file, line (or sheet row) and column, and nothing is
// written. Large CSV files are parsed by DuckDB's reader; problems found afterwards
// are traced back to their line by re-reading the file.
package ingest
