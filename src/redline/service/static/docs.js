// The API reference, rendered offline from /openapi.json (no CDN). Text is set as textContent only.
"use strict";
(async function () {
  const spec = await (await fetch("/openapi.json")).json();
  const el = (tag, cls, text) => { const n = document.createElement(tag); if (cls) n.className = cls; if (text !== undefined) n.textContent = text; return n; };
  const refName = (s) => (s && s.$ref ? s.$ref.split("/").pop() : null);
  const typeOf = (s) => {
    if (!s) return "";
    if (s.$ref) return refName(s);
    if (s.anyOf) return s.anyOf.map(typeOf).filter((t) => t !== "null").join(" | ");
    const bits = [s.type || (s.enum ? "enum" : "")];
    if (s.enum) bits.push("{" + s.enum.join(", ") + "}");
    if (s.format) bits.push(s.format);
    if (s.pattern) bits.push("pattern " + s.pattern);
    if (s.minimum !== undefined) bits.push("≥ " + s.minimum);
    if (s.maximum !== undefined) bits.push("≤ " + s.maximum);
    if (s.maxLength !== undefined) bits.push("max length " + s.maxLength);
    if (s.default !== undefined) bits.push("default " + JSON.stringify(s.default));
    return bits.filter(Boolean).join(", ");
  };
  document.getElementById("intro").textContent = `${spec.info.title} ${spec.info.version}: ${spec.info.description || ""}`;
  const box = document.getElementById("ops");
  for (const [path, item] of Object.entries(spec.paths)) {
    for (const [method, op] of Object.entries(item)) {
      const d = el("div", "op");
      const h = el("h3");
      h.append(el("span", "method " + method.toUpperCase(), method.toUpperCase()), path, el("span", "tag", (op.tags || []).join(", ")));
      d.append(h, el("div", "", op.summary || ""));
      if (op.description) d.append(el("p", "muted", op.description));
      const rows = (op.parameters || []).map((p) => [p.name, p.in + (p.required ? ", required" : ""), typeOf(p.schema), p.description || ""]);
      const body = op.requestBody && op.requestBody.content;
      if (body) {
        for (const [ctype, c] of Object.entries(body)) {
          const name = refName(c.schema);
          const schema = name ? spec.components.schemas[name] : c.schema;
          for (const [field, fs] of Object.entries((schema && schema.properties) || {})) {
            rows.push([field, `body (${ctype})` + ((schema.required || []).includes(field) ? ", required" : ""), typeOf(fs), fs.description || ""]);
          }
        }
      }
      if (rows.length) {
        const t = el("table", "data");
        const hr = el("tr");
        for (const c of ["name", "where", "type", "description"]) hr.append(el("th", "", c));
        t.append(hr);
        for (const r of rows) { const tr = el("tr"); for (const c of r) tr.append(el("td", "", c)); t.append(tr); }
        d.append(t);
      }
      box.append(d);
    }
  }
})();
