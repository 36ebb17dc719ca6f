#!/usr/bin/env node
// build-world-map.mjs builds data/maps/world-110m.csv, the country shapes of egdi
// serve's map, once, from Natural Earth 1:110m as the npm package world-atlas
// redistributes it (TopoJSON, public domain):
//
//   cd "$(mktemp -d)" && npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
//   node data/scripts/build-world-map.mjs "$PWD/package/countries-110m.json" > data/maps/world-110m.csv
//
// world-atlas names countries by their numeric ISO 3166 code, which for the Member
// States is their M49 code: data/refdata/countries.csv maps them to ISO3. Shapes are
// projected with the equirectangular projection (x = lon, y = −lat), clipped to
// 60°S…84°N, in a 1000 × 480 view box, rounded to 0.1 unit; shapes that are no
// Member State (W. Sahara, Taiwan, Kosovo, ...) have no ISO3 and are drawn grey;
// Antarctica is left out.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const src = process.argv[2];
if (!src) {
  console.error("usage: build-world-map.mjs countries-110m.json > data/maps/world-110m.csv");
  process.exit(2);
}
const topo = JSON.parse(readFileSync(src, "utf8"));
const here = dirname(fileURLToPath(import.meta.url));
const csv = readFileSync(join(here, "..", "refdata", "countries.csv"), "utf8").trim().split("\n");
const head = csv[0].split(",");
const iIso = head.indexOf("iso3"), iM49 = head.indexOf("m49");
const iso = new Map();
for (const line of csv.slice(1)) {
  const f = line.split(",");
  iso.set(String(Number(f[iM49])), f[iIso]);
}

// decode the quantized, delta-encoded arcs into degrees
const [sx, sy] = topo.transform.scale, [tx, ty] = topo.transform.translate;
const arcs = topo.arcs.map((arc) => {
  let x = 0, y = 0;
  return arc.map(([dx, dy]) => { x += dx; y += dy; return [x * sx + tx, y * sy + ty]; });
});
function ring(ids) {
  const pts = [];
  for (const id of ids) {
    const a = id < 0 ? arcs[~id].slice().reverse() : arcs[id];
    pts.push(...(pts.length ? a.slice(1) : a));
  }
  return pts;
}
const W = 1000, H = 480, LAT0 = 84, LAT1 = -60;
const px = (lon) => ((lon + 180) / 360) * W;
const py = (lat) => ((LAT0 - Math.max(LAT1, Math.min(LAT0, lat))) / (LAT0 - LAT1)) * H;
const r1 = (v) => Math.round(v * 10) / 10;
// unwrap keeps a ring that crosses the antimeridian (Russia, Fiji) continuous, its
// longitudes running past ±180°; such a ring is drawn twice, once shifted by 360°, and
// the view box clips what lies beyond its edges.
function unwrap(r) {
  const out = [r[0].slice()];
  for (let i = 1; i < r.length; i++) {
    let lon = r[i][0];
    const prev = out[i - 1][0];
    while (lon - prev > 180) lon -= 360;
    while (prev - lon > 180) lon += 360;
    out.push([lon, r[i][1]]);
  }
  const lons = out.map((p) => p[0]);
  const lo = Math.min(...lons), hi = Math.max(...lons);
  if (hi > 180) return [out, out.map(([x, y]) => [x - 360, y])];
  if (lo < -180) return [out, out.map(([x, y]) => [x + 360, y])];
  return [out];
}
function path(rings) {
  let d = "";
  for (const r of rings.flatMap(unwrap)) {
    let last = "";
    let n = 0;
    for (const [lon, lat] of r) {
      const p = `${r1(px(lon))} ${r1(py(lat))}`;
      if (p === last) continue;
      d += (n === 0 ? "M" : "L") + p;
      last = p;
      n++;
    }
    if (n > 0) d += "Z";
  }
  return d.replaceAll(" -", "-");
}

const out = ["id,iso3,name,path"];
for (const g of topo.objects.countries.geometries) {
  if (!g.arcs) continue;
  const polys = g.type === "Polygon" ? [g.arcs] : g.arcs;
  const rings = [];
  for (const p of polys) for (const r of p) rings.push(ring(r));
  const id = g.id ?? "";
  const code = iso.get(String(Number(id))) ?? "";
  if (id === "010") continue; // Antarctica: below the map's edge
  out.push([id, code, JSON.stringify(g.properties.name), path(rings)].join(","));
}
// Member States too small for 1:110m (Singapore, Malta, the island States) are drawn
// as diamonds at the places data/maps/small-states.csv gives (their capitals).
const m49 = new Map([...iso].map(([n, c]) => [c, n.padStart(3, "0")]));
const small = readFileSync(join(here, "..", "maps", "small-states.csv"), "utf8").trim().split("\n").slice(1);
for (const line of small) {
  const [code, lon, lat] = line.split(",");
  const x = r1(px(Number(lon))), y = r1(py(Number(lat)));
  const d = `M${r1(x - 3)} ${y}L${x} ${r1(y - 3)}L${r1(x + 3)} ${y}L${x} ${r1(y + 3)}Z`;
  out.push([m49.get(code) ?? "", code, code, d].join(","));
}
process.stdout.write(out.join("\n") + "\n");
