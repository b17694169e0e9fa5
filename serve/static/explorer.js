// identigraph explorer: talks to the server's JSON API and draws with the inlined vis-network.
// Store data is only ever written with textContent, or given to vis as DOM elements and
// plain values, so nothing from the store is parsed as HTML.
(function () {
  "use strict";

  var boot = JSON.parse(document.getElementById("explorer-data").textContent);
  var style = boot.style;
  var statusLine = document.getElementById("status");
  var network = null;
  window.identigraphExplorer = { ready: false, last: null };

  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text != null) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  }
  function say(text, isError) {
    statusLine.textContent = text;
    statusLine.className = isError ? "error" : "";
  }

  // -- the API, with the bearer token when the server wants one ------------------------
  function askToken() {
    return new Promise(function (resolve) {
      var dialog = document.getElementById("token-dialog");
      var input = document.getElementById("token");
      dialog.addEventListener("close", function once() {
        dialog.removeEventListener("close", once);
        sessionStorage.setItem("identigraph-token", input.value);
        resolve();
      });
      dialog.showModal();
      input.focus();
    });
  }
  function api(path, retried) {
    var headers = {};
    var token = sessionStorage.getItem("identigraph-token");
    if (token) headers.Authorization = "Bearer " + token;
    return fetch(path, { headers: headers }).then(function (resp) {
      if (resp.status === 401 && !retried) return askToken().then(function () { return api(path, true); });
      return resp.json().then(function (body) {
        if (!resp.ok) { var err = new Error(body.error || resp.statusText); err.status = resp.status; throw err; }
        return body;
      });
    });
  }
  function seg(text) { return encodeURIComponent(text); }

  // -- the profile card ----------------------------------------------------------------
  function go(text, kind) {  // a focusable link that shows something else
    var a = el("a", text, "go");
    a.href = "#";
    a.addEventListener("click", function (ev) { ev.preventDefault(); find(kind ? kind + text : text); });
    return a;
  }
  function row(table, label, value) {
    var tr = el("tr");
    tr.appendChild(el("th", label));
    var td = el("td");
    if (value instanceof Node) td.appendChild(value); else td.textContent = value == null || value === "" ? "-" : String(value);
    tr.appendChild(td);
    table.appendChild(tr);
  }
  function showCard(card, asked) {
    var body = document.getElementById("card-body");
    body.replaceChildren();
    var p = card.profile;
    if (card.name) body.appendChild(el("p", card.name, "person"));
    var head = el("p");
    head.appendChild(el("span", "Profile "));
    head.appendChild(el("span", p.profile_id, "pid"));
    if (asked && asked !== p.profile_id) head.appendChild(el("span", " (" + asked + " was merged into it)", "muted"));
    body.appendChild(head);
    var ids = el("table");
    ids.setAttribute("aria-label", "identifiers");
    card.identifiers.forEach(function (i) {
      var consent = i.blocked ? "blocked value" : i.consent ? i.kind === "phone" ? "sms " + i.consent : i.kind === "email" ? "email " + i.consent : i.consent : "no consent record";
      var cell = el("span");
      cell.appendChild(go(i.key));
      cell.appendChild(el("span", "  " + consent, "muted"));
      row(ids, i.kind, cell);
    });
    body.appendChild(ids);
    var facts = el("table");
    facts.setAttribute("aria-label", "profile facts");
    row(facts, "email consent", p.email_consent);
    row(facts, "sms consent", p.sms_consent);
    row(facts, "created by event", p.created_by ? go(p.created_by) : null);
    if (p.merged_ids.length) {
      var merged = el("span");
      p.merged_ids.forEach(function (m, n) { if (n) merged.appendChild(el("span", ", ")); merged.appendChild(el("span", m, "pid")); });
      row(facts, "merged profiles", merged);
    }
    body.appendChild(facts);
    var names = Object.keys(card.attributes || {});
    if (names.length) {
      var attrs = el("table");
      attrs.setAttribute("aria-label", "attributes");
      names.sort().forEach(function (k) { row(attrs, k, card.attributes[k]); });
      body.appendChild(el("h2", "Attributes"));
      body.appendChild(attrs);
    }
  }
  function showLoose(shown) {  // an identifier on no profile
    var body = document.getElementById("card-body");
    body.replaceChildren();
    body.appendChild(el("p", shown.identifier + " is on no profile (" +
      (shown.blocked ? "a blocked value" : "replaced or never linked") + ")"));
  }
  function showEventCard(answer) {
    var body = document.getElementById("card-body");
    body.replaceChildren();
    var ev = answer.event;
    body.appendChild(el("p", "Event " + ev.event_id));
    var t = el("table");
    ["timestamp", "type", "channel", "source", "email", "phone", "external_id",
      "email_consent", "sms_consent", "attributes"].forEach(function (k) { row(t, k, ev[k]); });
    body.appendChild(t);
    if (answer.edges.length) {
      body.appendChild(el("h2", "Links it made"));
      var ol = el("ol");
      answer.edges.forEach(function (e) { ol.appendChild(el("li", e.sentence)); });
      body.appendChild(ol);
    }
  }

  // -- the timeline --------------------------------------------------------------------
  function showTimeline(how) {
    var ol = document.getElementById("timeline");
    ol.replaceChildren();
    how.steps.forEach(function (s) {
      var li = el("li");
      li.appendChild(el("span", s.timestamp + " ", "ts"));
      li.appendChild(el("span", s.action, "action"));
      li.appendChild(el("span", " " + (s.sentence || s.detail)));
      ol.appendChild(li);
    });
    if (!how.steps.length) ol.appendChild(el("li", "nothing happened to it yet"));
  }

  // -- the cluster ---------------------------------------------------------------------
  function tooltip(pairs) {
    var box = el("div");
    pairs.forEach(function (p) { if (p[1] != null && p[1] !== "") box.appendChild(el("div", p[0] + ": " + p[1])); });
    return box;
  }
  function nodePairs(n) {
    var pairs = [["id", n.id], ["kind", n.kind], ["profile", n.profile_id]];
    Object.keys(n.attributes || {}).forEach(function (k) { pairs.push([k, n.attributes[k]]); });
    return pairs;
  }
  function edgePairs(e) {
    return [["from", e.from], ["to", e.to], ["event", e.event_id], ["type", e.event_type],
      ["time", e.timestamp], ["channel", e.channel], ["rule", e.rule], ["merges", e.merges ? "yes" : "no"]];
  }
  function showDetails(pairs) {
    var dl = document.getElementById("details");
    dl.replaceChildren();
    pairs.forEach(function (p) {
      if (p[1] == null || p[1] === "") return;
      dl.appendChild(el("dt", p[0]));
      dl.appendChild(el("dd", p[1]));
    });
  }
  function short(s) { s = String(s); return s.length > style.label_max ? s.slice(0, style.label_max - 1) + "\u2026" : s; }
  function drawCluster(cluster) {
    var hot = new Set((cluster.highlight && cluster.highlight.edges || []).map(Number));
    var ends = new Set(cluster.highlight && cluster.highlight.b != null ? [cluster.highlight.a, cluster.highlight.b] : []);
    var byId = new Map(cluster.nodes.map(function (n) { return [n.id, n]; }));
    var nodes = cluster.nodes.map(function (n) {
      var k = style.kinds[n.kind] || style.other_kind;
      var center = n.id === cluster.center;
      return { id: n.id, label: short(n.label || n.value || n.id), shape: k.vis_shape,
        size: center ? 20 : 13, borderWidth: ends.has(n.id) || center ? 4 : 1,
        title: tooltip(nodePairs(n)),
        color: { background: k.color, border: ends.has(n.id) ? style.highlight : center ? "#222" : k.color } };
    });
    var edges = cluster.edges.map(function (e, i) {
      var color = hot.has(i) ? style.highlight : e.kind === "member" ? style.member : style.channels[e.channel] || style.other_channel;
      return { id: i, from: e.from, to: e.to, width: hot.has(i) ? 5 : 1.5,
        dashes: e.merges === false ? [6, 5] : false, title: tooltip(edgePairs(e)),
        label: e.merges === false ? String(e.rule) : undefined,
        color: { color: color, highlight: color, hover: color } };
    });
    document.getElementById("graph-counts").textContent = nodes.length + " nodes, " + edges.length + " edges";
    document.getElementById("details").replaceChildren();
    if (typeof vis === "undefined") { document.getElementById("graph").textContent = "vis-network failed to load"; return; }
    if (network) network.destroy();
    network = new vis.Network(document.getElementById("graph"),
      { nodes: new vis.DataSet(nodes), edges: new vis.DataSet(edges) }, {
        layout: { randomSeed: 7, improvedLayout: nodes.length <= 150 },
        physics: { solver: "barnesHut", barnesHut: { gravitationalConstant: -3000, springLength: 110 },
          stabilization: { iterations: 250, fit: true } },
        interaction: { hover: true, tooltipDelay: 150, keyboard: { enabled: true, bindToWindow: false } },
        nodes: { font: { size: 14, strokeWidth: 3, strokeColor: "#fff" } },
        edges: { font: { size: 12, strokeWidth: 4, strokeColor: "#fff" }, smooth: { type: "continuous" } },
      });
    window.identigraphExplorer.network = network;
    network.once("stabilizationIterationsDone", function () {
      network.setOptions({ physics: false });
      network.fit({ maxZoomLevel: 1.5, animation: false });
    });
    network.on("click", function (params) {
      if (params.nodes.length) showDetails(nodePairs(byId.get(params.nodes[0])));
      else if (params.edges.length) showDetails(edgePairs(cluster.edges[params.edges[0]]));
    });
    network.on("doubleClick", function (params) {
      var n = params.nodes.length ? byId.get(params.nodes[0]) : null;
      if (n) find(n.kind === "profile" ? n.id : n.id);
    });
  }

  // -- why / why not -------------------------------------------------------------------
  function showWhy(x) {
    var body = document.getElementById("why-body");
    body.replaceChildren();
    body.appendChild(el("p", x.summary, "verdict " + (x.same_profile ? "yes" : "no")));
    if (x.path.length) {
      var ol = el("ol");
      x.path.forEach(function (e) { ol.appendChild(el("li", e.sentence)); });
      body.appendChild(ol);
    }
  }
  function explain(a, b) {
    document.getElementById("why-a").value = a;
    document.getElementById("why-b").value = b;
    say("explaining\u2026");
    return api("/api/explain?a=" + seg(a) + "&b=" + seg(b)).then(function (x) {
      showWhy(x);
      window.identigraphExplorer.last = { kind: "explain", answer: x };
      if (x.reason === "unknown_identifier") { say("not in the store: " + x.unknown.join(", "), true); return null; }
      return Promise.all([showIdentifier(x.a, false),
        api("/api/cluster/" + seg(x.a) + "?depth=0&other=" + seg(x.b)).then(drawCluster)]).then(function () {
        say((x.same_profile ? "same profile" : "not merged (" + x.reason + ")") + ": the path of " +
          x.path.length + " link(s) is highlighted in the cluster");
      });
    }).catch(fail);
  }

  // -- search --------------------------------------------------------------------------
  function fail(err) { say(err.message || String(err), true); }
  function showIdentifier(key, withGraph) {
    return api("/api/identifiers/" + seg(key)).then(function (shown) {
      var card = shown.profile
        ? api("/api/profiles/" + seg(shown.profile.profile_id)).then(function (c) { showCard(c); })
        : Promise.resolve(showLoose(shown));
      var how = api("/api/how/" + seg(key)).then(showTimeline);
      var graph = withGraph === false ? null : api("/api/cluster/" + seg(key) + "?depth=1").then(drawCluster);
      return Promise.all([card, how, graph]).then(function () { say(shown.summary || key); });
    });
  }
  function find(text) {
    text = String(text).trim();
    if (!text) return Promise.resolve();
    document.getElementById("q").value = text;
    say("looking up\u2026");
    return api("/api/search?q=" + seg(text)).then(function (hit) {
      window.identigraphExplorer.last = { kind: hit.kind, hit: hit };
      if (hit.kind === "identifier") return showIdentifier(hit.key);
      if (hit.kind === "profile") {
        return api("/api/profiles/" + seg(hit.profile_id)).then(function (card) {
          showCard(card, hit.profile_id);
          var first = card.identifiers[0];
          say("profile " + card.profile.profile_id);
          if (!first) return null;
          return Promise.all([api("/api/how/" + seg(first.key)).then(showTimeline),
            api("/api/cluster/" + seg(first.key) + "?depth=1").then(drawCluster)]);
        });
      }
      return api("/api/events/" + seg(hit.event_id)).then(function (answer) {
        showEventCard(answer);
        say("event " + answer.event.event_id);
        var first = answer.identifiers[0];
        return first ? api("/api/cluster/" + seg(first) + "?depth=1").then(drawCluster) : null;
      });
    }).catch(fail).then(function () { document.body.dataset.shown = text; });
  }

  document.getElementById("search-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    find(document.getElementById("q").value);
  });
  document.getElementById("why-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var a = document.getElementById("why-a").value.trim();
    var b = document.getElementById("why-b").value.trim();
    if (!a || !b) { say("give two identifiers", true); return; }
    explain(a, b);
  });
  document.addEventListener("keydown", function (ev) {
    var typing = /^(INPUT|TEXTAREA)$/.test(document.activeElement && document.activeElement.tagName);
    if (ev.key === "/" && !typing) { ev.preventDefault(); document.getElementById("q").focus(); }
  });
  api("/api/stats").then(function (s) {
    document.getElementById("store-line").textContent = s.backend + " store: " + s.events + " events, " + s.profiles + " profiles";
  }).catch(fail).then(function () { window.identigraphExplorer.ready = true; });
  window.identigraphExplorer.find = find;
  window.identigraphExplorer.explain = explain;
})();
