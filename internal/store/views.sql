-- The readable shape of the tables that store names as numbers and units as keys.
CREATE OR REPLACE VIEW units AS
  SELECT unit_key, unit, coalesce(name, unit) AS name, name_zh, coalesce(kind, 'custom') AS kind,
         m49, region, region_zh, subregion, subregion_zh, ldc, lldc, sids
  FROM unit_list LEFT JOIN member_states USING (unit_key);
CREATE OR REPLACE VIEW indicator_values AS
  SELECT d.code AS dataset, u.unit, v.year, i.code AS indicator, v.value
  FROM raw_values v JOIN unit_list u USING (unit_key) JOIN codes d ON d.id = v.dataset_id JOIN codes i ON i.id = v.indicator_id;
-- The node values present, one row each (node_lists, long).
CREATE OR REPLACE VIEW node_values AS
  SELECT v.dataset_id, v.year, v.unit_key, o.node_id, v.value[o.ord] AS value
  FROM node_lists v JOIN (SELECT d.id AS dataset_id, r.year, c.id AS node_id, n.ord FROM runs r JOIN run_nodes n USING (run_id)
    JOIN codes d ON d.code = r.dataset JOIN codes c ON c.code = n.node WHERE n.ord IS NOT NULL) o USING (dataset_id, year)
  WHERE v.value[o.ord] IS NOT NULL;
CREATE OR REPLACE VIEW scores AS
  SELECT d.code AS dataset, v.year, u.unit, n.code AS node, v.value
  FROM node_values v JOIN unit_list u USING (unit_key) JOIN codes d ON d.id = v.dataset_id JOIN codes n ON n.id = v.node_id
  UNION ALL
  SELECT d.code, v.year, u.unit, r.root, v.value
  FROM root_values v JOIN unit_list u USING (unit_key) JOIN codes d ON d.id = v.dataset_id
  JOIN runs r ON r.dataset = d.code AND r.year = v.year;
CREATE OR REPLACE VIEW standings AS
  SELECT d.code AS dataset, v.year, u.unit, v.value, v.rank, b.code AS band, c.code AS class
  FROM root_values v JOIN unit_list u USING (unit_key) JOIN codes d ON d.id = v.dataset_id
  LEFT JOIN codes b ON b.id = v.band_id LEFT JOIN codes c ON c.id = v.class_id;
-- Every unit's group in every grouping: the M49 ones of the Member States and the
-- groupings imported with egdi import groups.
CREATE OR REPLACE VIEW unit_groups AS
  SELECT unit_key, 'region' AS grouping, region AS grp, region_zh AS grp_zh, NULL::INTEGER AS ord FROM member_states WHERE region IS NOT NULL
  UNION ALL SELECT unit_key, 'subregion', subregion, subregion_zh, NULL FROM member_states WHERE subregion IS NOT NULL
  UNION ALL SELECT unit_key, 'ldc', CASE WHEN ldc THEN 'Least developed countries' ELSE 'Other Member States' END,
                   CASE WHEN ldc THEN '最不发达国家' ELSE '其他会员国' END, CASE WHEN ldc THEN 1 ELSE 2 END FROM member_states
  UNION ALL SELECT unit_key, 'lldc', CASE WHEN lldc THEN 'Landlocked developing countries' ELSE 'Other Member States' END,
                   CASE WHEN lldc THEN '内陆发展中国家' ELSE '其他会员国' END, CASE WHEN lldc THEN 1 ELSE 2 END FROM member_states
  UNION ALL SELECT unit_key, 'sids', CASE WHEN sids THEN 'Small island developing States' ELSE 'Other Member States' END,
                   CASE WHEN sids THEN '小岛屿发展中国家' ELSE '其他会员国' END, CASE WHEN sids THEN 1 ELSE 2 END FROM member_states
  UNION ALL SELECT unit_key, grouping, grp, grp_zh, ord FROM groupings;
-- The published editions in the shape of the UN's tables: one row per edition and
-- Member State listed, with status assessed, not_assessed or placeholder.
CREATE OR REPLACE VIEW published AS
  WITH d AS (SELECT id FROM codes WHERE code = 'published'),
  k AS (SELECT year, unit_key FROM root_values WHERE dataset_id = (SELECT id FROM d)
        UNION SELECT year, unit_key FROM node_lists WHERE dataset_id = (SELECT id FROM d)
        UNION SELECT year, unit_key FROM excluded WHERE dataset_id = (SELECT id FROM d)),
  c AS (SELECT v.year, v.unit_key,
          max(v.value) FILTER (WHERE n.code = 'osi') AS osi, max(v.value) FILTER (WHERE n.code = 'tii') AS tii,
          max(v.value) FILTER (WHERE n.code = 'hci') AS hci, max(v.value) FILTER (WHERE n.code = 'epi') AS epi
        FROM node_values v JOIN codes n ON n.id = v.node_id WHERE v.dataset_id = (SELECT id FROM d) GROUP BY ALL)
  SELECT k.year, u.unit, r.value AS egdi, c.osi, c.tii, c.hci, c.epi, r.rank,
         x.reason IS DISTINCT FROM 'not_assessed' AS assessed, coalesce(x.reason, 'assessed') AS status
  FROM k JOIN unit_list u USING (unit_key)
  LEFT JOIN root_values r ON r.dataset_id = (SELECT id FROM d) AND r.year = k.year AND r.unit_key = k.unit_key
  LEFT JOIN c ON c.year = k.year AND c.unit_key = k.unit_key
  LEFT JOIN excluded x ON x.dataset_id = (SELECT id FROM d) AND x.year = k.year AND x.unit_key = k.unit_key;
-- Every replication's rank of each unit, by code, and its drawn parameters (egdi
-- uncertainty): the lists of uncertainty_ranks and uncertainty_draws, long.
CREATE OR REPLACE VIEW uncertainty_unit_ranks AS
  SELECT r.ua_id, r.replication, u.unit, nullif(r.rank[o.ord + 1], 0) AS rank
  FROM uncertainty_ranks r JOIN uncertainty_units o USING (ua_id) JOIN unit_list u ON u.unit_key = o.unit_key;
CREATE OR REPLACE VIEW uncertainty_drawn AS
  SELECT d.ua_id, d.replication, p.input, p.component, d.value[p.ord + 1] AS value, d.choice[p.ord + 1] AS choice
  FROM uncertainty_draws d JOIN uncertainty_parameters p USING (ua_id);
