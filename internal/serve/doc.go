// Package serve is egdi serve: a local dashboard over a database, read-only, as
// server-rendered HTML (html/template, embedded) with a little plain JavaScript for
// sorting, filtering and hover, and no request to anything but itself.
//
// Pages, each with its state in the query string (year, node, dataset, lang, ...):
//
//	/                 the map: the world (or a tile grid of provinces) coloured by a
//	                  node's band or value in a year
//	/ranking          a year's ranking with filters by grouping and band, rank change
//	                  since the previous edition; .csv and .xlsx downloads
//	/unit/CODE        a unit's history, its components against its region and all
//	                  units, and its rank interval where an uncertainty run is stored
//	/compare          units side by side with their differences and a chart
//
// The numbers come from the engine as egdi rank, trend and compare print them:
// panel.Load reads the panel, query ranks, follows and compares it, present labels
// it and says its sources, chart draws it. A panel is read once per dataset and kept
// while the database file is unchanged; the file is opened read-only for that read
// and closed again, so another process can write to it between reads (a request made
// while it writes is answered 503, "the database is being written", and works again
// when the write is done).
//
// Every parameter is checked against the panel: an unknown unit, node, year, dataset
// or filter is a 400 page saying so in the page's language, never a 500.
package serve
