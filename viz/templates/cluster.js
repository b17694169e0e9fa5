// identigraph cluster view: builds the vis-network graph from the #cluster-data JSON island.
// Data is only ever written with textContent or passed to vis as plain values / DOM elements.
(function () {
  "use strict";

  var payload = JSON.parse(document.getElementById("cluster-data").textContent);
  var cluster = payload.cluster || {};
  var style = payload.style;
  var nodesIn = cluster.nodes || [];
  var edgesIn = cluster.edges || [];
  var highlight = cluster.highlight || {};
  var onPath = new Set((highlight.edges || []).map(Number));
  // Path ends get a gold border only when there is a path (--path), not for the center alone.
  var ends = new Set(highlight.a != null && highlight.b != null ? [highlight.a, highlight.b] : []);
  var byId = new Map(nodesIn.map(function (n) { return [n.id, n]; }));

  function el(tag, content, className) {
    var node = document.createElement(tag);
    if (content != null) node.textContent = String(content);
    if (className) node.className = className;
    return node;
  }
  function labelOf(n) { return String(n.label || n.value || n.id); }
  function truncate(s) {  // line by line: a profile's label is its id, then the name
    return s.split("\n").map(function (line) {
      return line.length > style.label_max ? line.slice(0, style.label_max - 1) + "\u2026" : line;
    }).join("\n");
  }
  function kindStyle(kind) { return style.kinds[kind] || style.other_kind; }
  function edgeColor(e) {
    return e.kind === "member" ? style.member : (style.channels[e.channel] || style.other_channel);
  }

  function nodeFields(n) {
    var fields = [["id", n.id], ["kind", n.kind], ["value", n.value], ["profile", n.profile_id],
      ["name", n.name]];
    Object.keys(n.attributes || {}).forEach(function (k) { fields.push([k, n.attributes[k]]); });
    return fields;
  }
  function edgeFields(e) {
    if (e.kind === "collapsed") {
      return [["from", e.from], ["not drawn", e.count + " identifiers (see the caption)"]];
    }
    return [["from", e.from], ["to", e.to], ["event", e.event_id], ["type", e.event_type],
      ["time", e.timestamp], ["channel", e.channel], ["rule", e.rule],
      ["merges", e.merges === false ? "no" : "yes"], ["why", e.sentence]];
  }
  function present(f) { return f[1] != null && f[1] !== ""; }
  function tooltip(fields) {  // a DOM element, so vis never parses data as HTML
    var box = el("div");
    fields.filter(present).forEach(function (f) { box.appendChild(el("div", f[0] + ": " + f[1])); });
    return box;
  }
  function showDetails(fields) {
    var dl = document.getElementById("details");
    dl.replaceChildren();
    fields.filter(present).forEach(function (f) {
      dl.appendChild(el("dt", f[0]));
      dl.appendChild(el("dd", f[1]));
    });
  }

  var nodes = nodesIn.map(function (n) {
    var k = kindStyle(n.kind);
    var center = n.id === cluster.center;
    var border = ends.has(n.id) ? style.highlight : center ? "#222222" : k.color;
    return {
      id: n.id, label: truncate(labelOf(n)), shape: k.vis_shape, size: center ? 20 : 13,
      borderWidth: ends.has(n.id) || center ? 4 : 1, title: tooltip(nodeFields(n)),
      color: { background: k.color, border: border,
        highlight: { background: k.color, border: "#000000" },
        hover: { background: k.color, border: "#000000" } },
    };
  });

  var pairCount = new Map();
  var edges = edgesIn.map(function (e, i) {
    var hot = onPath.has(i);
    var merges = e.merges !== false;
    var color = hot ? style.highlight : edgeColor(e);
    var pair = [String(e.from), String(e.to)].sort().join("\u0000");
    var nth = pairCount.get(pair) || 0;
    pairCount.set(pair, nth + 1);
    return {
      id: i, from: e.from, to: e.to, width: hot ? 5 : 1.5,
      dashes: merges ? false : hot ? [14, 8] : [6, 5],
      label: e.kind === "collapsed" ? undefined : merges ? undefined
        : String(e.rule || "no merge"), title: tooltip(edgeFields(e)),
      color: { color: color, highlight: color, hover: color },
      arrows: { to: { enabled: true, scaleFactor: 0.5 } },
      smooth: nth === 0 ? { enabled: true, type: "continuous" }
        : { enabled: true, type: nth % 2 ? "curvedCW" : "curvedCCW",
          roundness: 0.2 * Math.ceil(nth / 2) },
    };
  });

  // Caption: the summary sentence, and what a big cluster's view left out.
  document.getElementById("caption").textContent =
    [cluster.summary, cluster.note].filter(function (t) { return t; }).join(" ");

  // Header: title, counts, path summary.
  var center = byId.get(cluster.center);
  var title = "identigraph: " + (center ? labelOf(center) : "cluster");
  document.getElementById("title").textContent = title;
  document.title = title;
  document.getElementById("node-count").textContent = String(nodesIn.length);
  document.getElementById("edge-count").textContent = String(edgesIn.length);
  document.body.dataset.nodeCount = String(nodesIn.length);
  if (highlight.a != null && highlight.b != null) {
    var same = highlight.same_profile;
    document.getElementById("path-summary").textContent = "path: " + onPath.size +
      " edge(s), same profile: " + (same == null ? "unknown" : same ? "yes" : "no");
  }

  // Legend: kinds, channels, line styles, highlighted path.
  var legend = document.getElementById("legend");
  function legendItem(text, swatchClass, color) {
    var li = el("li");
    var swatch = el("span", null, "swatch " + swatchClass);
    if (swatchClass.indexOf("line") === 0) swatch.style.borderTopColor = color;
    else swatch.style.backgroundColor = color;
    li.appendChild(swatch);
    li.appendChild(el("span", text));
    legend.appendChild(li);
  }
  var kindsPresent = new Set(nodesIn.map(function (n) { return n.kind; }));
  var kinds = Object.keys(style.kinds).filter(function (k) {
    return ["email", "phone", "external_id", "profile"].indexOf(k) !== -1 || kindsPresent.has(k);
  }).map(function (k) { return style.kinds[k]; });
  if (nodesIn.some(function (n) { return !style.kinds[n.kind]; })) kinds.push(style.other_kind);
  kinds.forEach(function (k) { legendItem(k.name, k.vis_shape, k.color); });
  var channels = new Set(Object.keys(style.channels));
  edgesIn.forEach(function (e) { if (e.kind !== "member" && e.channel) channels.add(e.channel); });
  channels.forEach(function (c) { legendItem(c, "line", edgeColor({ channel: c })); });
  legendItem("member of profile", "line", style.member);
  legendItem("solid: merges", "line", "#333333");
  legendItem("dashed: does not merge", "line dashed", "#333333");
  if (onPath.size) legendItem("highlighted path", "line", style.highlight);

  if (typeof vis === "undefined") {
    document.getElementById("graph").textContent = "vis-network failed to load.";
    document.body.dataset.rendered = "error";
    return;
  }

  var data = { nodes: new vis.DataSet(nodes), edges: new vis.DataSet(edges) };
  var network = new vis.Network(document.getElementById("graph"), data, {
    layout: { randomSeed: 7, improvedLayout: nodes.length <= 150 },
    physics: {
      solver: "barnesHut",
      barnesHut: { gravitationalConstant: -3000, springLength: 110, avoidOverlap: 0.2 },
      stabilization: { enabled: true, iterations: 300, updateInterval: 50, fit: true },
    },
    interaction: { hover: true, tooltipDelay: 120, keyboard: false },
    nodes: { font: { size: 14, face: "sans-serif", strokeWidth: 3, strokeColor: "#ffffff" } },
    edges: { font: { size: 12, align: "horizontal", face: "sans-serif", strokeWidth: 4,
      strokeColor: "#ffffff" } },
  });
  window.identigraph = { network: network, nodes: data.nodes, edges: data.edges };

  // Stabilise once, then freeze so big clusters stay responsive.
  // Small clusters may zoom in past 1:1 so their labels stay readable.
  network.once("stabilizationIterationsDone", function () {
    network.setOptions({ physics: false });
    network.fit({ maxZoomLevel: 1.6, animation: false });
    network.moveTo({ scale: network.getScale() * 0.85 });  // room for labels at the rim
  });
  function markRendered() { document.body.dataset.rendered = "1"; }
  network.on("stabilized", markRendered);
  network.on("afterDrawing", markRendered);

  network.on("click", function (params) {
    if (params.nodes.length) showDetails(nodeFields(byId.get(params.nodes[0])));
    else if (params.edges.length) showDetails(edgeFields(edgesIn[params.edges[0]]));
  });

  // Search: select and focus the first node whose label/value/id contains the text.
  var search = document.getElementById("search");
  var status = document.getElementById("search-status");
  var hits = [];
  var hitIndex = 0;
  function focusHit() {
    var n = hits[hitIndex];
    network.selectNodes([n.id]);
    network.focus(n.id, { scale: 1.3, animation: false });
    showDetails(nodeFields(n));
    status.textContent = (hitIndex + 1) + " of " + hits.length + ": " + labelOf(n);
  }
  search.addEventListener("input", function () {
    var q = search.value.trim().toLowerCase();
    hits = !q ? [] : nodesIn.filter(function (n) {
      return [labelOf(n), n.value, n.id].some(function (s) {
        return s != null && String(s).toLowerCase().indexOf(q) !== -1;
      });
    });
    hitIndex = 0;
    if (hits.length) focusHit();
    else { network.unselectAll(); status.textContent = q ? "no match" : ""; }
  });
  search.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && hits.length) {
      hitIndex = (hitIndex + 1) % hits.length;
      focusHit();
    }
  });
})();
