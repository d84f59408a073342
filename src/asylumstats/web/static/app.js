/* asylumstats: charts (vega-embed, CSP-safe interpreter), search as you type, sortable tables.
   Controls change the page only on their Apply button (no reload while arrowing through a select).
   No inline scripts anywhere: the Content-Security-Policy allows scripts from this origin only. */
(function () {
  "use strict";

  function renderCharts() {
    var nodes = document.querySelectorAll(".chart[data-spec]");
    if (!nodes.length || typeof window.vegaEmbed !== "function") { return; }
    nodes.forEach(function (node) {
      var block = document.getElementById(node.getAttribute("data-spec"));
      if (!block) { return; }
      var spec;
      try { spec = JSON.parse(block.textContent); } catch (e) { return; }
      if (!spec.data || !spec.data.values || !spec.data.values.length) {
        node.textContent = "No decisions to chart.";
        return;
      }
      node.textContent = "";
      /* The figure's caption carries the title (it would be cut off on a phone); a saved
         image keeps it. */
      delete spec.title;
      window.vegaEmbed(node, spec, {
        renderer: "svg",
        actions: false,
        ast: true,
        expr: window.vega.expressionInterpreter,
        defaultStyle: false,
        tooltip: { disableDefaultStyle: true }
      }).then(function () {
        node.classList.add("chart-ready");
      }).catch(function (err) {
        node.textContent = "The chart could not be drawn; the table below has the same numbers.";
        if (window.console) { console.warn(err); }
      });
    });
  }

  function sortableTables() {
    /* Tables marked "sortable": each column header becomes a button; a second click reverses. */
    document.querySelectorAll("table.sortable").forEach(function (table) {
      var body = table.tBodies[0];
      if (!body) { return; }
      table.querySelectorAll("thead th").forEach(function (th, col) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "sort";
        while (th.firstChild) { button.appendChild(th.firstChild); }
        th.appendChild(button);
        button.addEventListener("click", function () {
          var up = th.getAttribute("aria-sort") !== "ascending";
          table.querySelectorAll("thead th").forEach(function (h) { h.removeAttribute("aria-sort"); });
          th.setAttribute("aria-sort", up ? "ascending" : "descending");
          var rows = Array.prototype.slice.call(body.rows);
          function key(row) {
            var cell = row.cells[col];
            var text = cell ? (cell.getAttribute("data-sort") || cell.textContent.trim()) : "";
            var n = parseFloat(text.replace(/[,%]/g, ""));
            return isNaN(n) ? text.toLowerCase() : n;
          }
          rows.sort(function (a, b) {
            var x = key(a), y = key(b);
            if (x === y) { return 0; }
            if (typeof x !== typeof y) { return typeof x === "number" ? -1 : 1; }
            return (x < y ? -1 : 1) * (up ? 1 : -1);
          });
          rows.forEach(function (r) { body.appendChild(r); });
        });
      });
    });
  }

  function labelTableBoxes(root) {
    /* Each scrolling table box is named by its table's caption (unique landmarks). */
    (root || document).querySelectorAll(".table-wrap[role=region]").forEach(function (box) {
      var caption = box.querySelector("caption");
      if (caption && caption.textContent.trim()) {
        box.setAttribute("aria-label", caption.textContent.trim().slice(0, 140));
      }
    });
  }

  function autosubmit() {
    /* Empty fields stay out of the URL, so a link shows only the state that matters. */
    document.querySelectorAll("form.controls, form.group-form, form.compare-form, form.periods").forEach(function (form) {
      form.addEventListener("submit", function () {
        form.querySelectorAll("input, select").forEach(function (el) {
          if (!el.value) { el.disabled = true; }
        });
      });
    });
  }

  function keepState(url) {
    var prefix = document.documentElement.getAttribute("data-prefix") || "";
    url = prefix + url;  /* the page's language: /es/judges/… */
    var here = new URLSearchParams(window.location.search);
    var out = new URLSearchParams();
    ["definition", "fy", "from", "to", "release"].forEach(function (k) {
      var v = here.get(k);
      if (v) { out.set(k, v); }
    });
    var qs = out.toString();
    return qs ? url + "?" + qs : url;
  }

  function searchAsYouType() {
    var input = document.getElementById("search-q");
    var list = document.getElementById("search-results");
    var status = document.getElementById("search-status");
    if (!input || !list) { return; }
    var timer = null;
    var seq = 0;
    function clear() { list.innerHTML = ""; list.hidden = true; }
    function show(items) {
      list.innerHTML = "";
      items.forEach(function (r) {
        var li = document.createElement("li");
        var a = document.createElement("a");
        a.href = keepState(r.url);
        a.className = "search-hit";
        var badge = document.createElement("span");
        badge.className = "badge";
        badge.textContent = r.type;
        a.appendChild(badge);
        a.appendChild(document.createTextNode(" " + (r.label || r.name || r.code) + " "));
        var meta = document.createElement("span");
        meta.className = "muted";
        meta.textContent = r.code + " · " + r.decisions.toLocaleString() + " decisions";
        a.appendChild(meta);
        li.appendChild(a);
        list.appendChild(li);
      });
      list.hidden = items.length === 0;
      if (status) { status.textContent = items.length + " result" + (items.length === 1 ? "" : "s"); }
    }
    input.addEventListener("input", function () {
      var q = input.value.trim();
      if (timer) { clearTimeout(timer); }
      if (!q) { clear(); return; }
      timer = setTimeout(function () {
        var mine = ++seq;
        var release = new URLSearchParams(window.location.search).get("release");
        var url = "/api/search?q=" + encodeURIComponent(q) +
          (release ? "&release=" + encodeURIComponent(release) : "");
        fetch(url, { headers: { "Accept": "application/json" } })
          .then(function (r) { return r.ok ? r.json() : []; })
          .then(function (items) { if (mine === seq) { show(items); } })
          .catch(function () { /* offline or server error: the form still works */ });
      }, 150);
    });
    input.addEventListener("keydown", function (e) {
      if (e.key === "Escape") { clear(); }
      if (e.key === "ArrowDown" && !list.hidden) {
        var first = list.querySelector("a");
        if (first) { e.preventDefault(); first.focus(); }
      }
    });
    list.addEventListener("keydown", function (e) {
      var links = Array.prototype.slice.call(list.querySelectorAll("a"));
      var i = links.indexOf(document.activeElement);
      if (e.key === "ArrowDown" && i < links.length - 1) { e.preventDefault(); links[i + 1].focus(); }
      if (e.key === "ArrowUp") { e.preventDefault(); (i > 0 ? links[i - 1] : input).focus(); }
      if (e.key === "Escape") { clear(); input.focus(); }
    });
  }

  function lazySections() {
    /* Slower figures (appeals, time to decision, backlog) load after the page. */
    document.querySelectorAll("section.lazy[data-src]").forEach(function (section) {
      section.setAttribute("aria-busy", "true");
      fetch(section.getAttribute("data-src"), { headers: { "Accept": "text/html" } })
        .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.text(); })
        .then(function (html) {
          section.innerHTML = html;  /* our own server-rendered, escaped HTML */
          labelTableBoxes(section);
          section.classList.add("lazy-ready");
        })
        .catch(function () { /* the link in the section still leads to the figures */ })
        .then(function () { section.setAttribute("aria-busy", "false"); });
    });
  }


  /* Adjusted rates (rate --adjust): the judge page shows adjusted beside raw; the court page
     ranks its judges with at least MIN_RANKED decisions by adjusted rate, with rank ranges, a
     Refugee-Roulette disparity line and a funnel plot. Built with textContent only. */
  var MIN_RANKED = 100;
  function pctText(v) { return v === null || v === undefined ? "—" : (100 * v).toFixed(1) + "%"; }
  function ivText(lo, hi) { return lo === null || lo === undefined ? "—" : pctText(lo) + "–" + pctText(hi); }
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) { e.textContent = text; }
    if (cls) { e.className = cls; }
    return e;
  }
  function apiQuery(section, extra) {
    var here = new URLSearchParams(window.location.search);
    var q = new URLSearchParams();
    ["definition", "fy", "from", "to", "release"].forEach(function (k) { if (here.get(k)) { q.set(k, here.get(k)); } });
    Object.keys(extra).forEach(function (k) { q.set(k, extra[k]); });
    q.set("by", "judge");
    q.set("adjust", "true");
    return "/api/rates?" + q.toString();
  }
  function judgeAdjusted(section, code, rows) {
    var r = rows.filter(function (x) { return x.judge_code === code; })[0];
    section.textContent = "";
    section.appendChild(el("h2", "Adjusted for case mix"));
    if (!r || r.adjusted_rate === null) {
      section.appendChild(el("p", "No decisions to adjust under this definition and window."));
      return;
    }
    var p = el("p");
    p.appendChild(document.createTextNode(
      "Raw grant rate " + pctText(r.grant_rate) + " (95% interval " + ivText(r.ci_low, r.ci_high) +
      ", " + r.decisions + " decisions); adjusted for " + r.adjusted_for.join(", ").replace(/_/g, " ") +
      ", on the case mix of all decisions: " + pctText(r.adjusted_rate) + " (95% interval " +
      ivText(r.adjusted_ci_low, r.adjusted_ci_high) + ")."));
    section.appendChild(p);
    var q = el("p");
    var others = r.court_others_rate === null ? "no decisions by other judges of the main court in these years" :
      "the other judges of the main court, same years: " + pctText(r.court_others_rate) + " (" +
      r.court_others_decisions + " decisions)";
    var text = "Against " + others + ".";
    if (r.court_others_rate !== null && r.grant_rate !== null) {
      var o = wilson(r.court_others_rate, r.court_others_decisions);
      var d = r.grant_rate - r.court_others_rate;
      var lo = d - Math.sqrt(Math.pow(r.grant_rate - r.ci_low, 2) + Math.pow(o[1] - r.court_others_rate, 2));
      var hi = d + Math.sqrt(Math.pow(r.ci_high - r.grant_rate, 2) + Math.pow(r.court_others_rate - o[0], 2));
      text += " Raw difference " + (100 * d).toFixed(1) + " points (95% interval " + (100 * lo).toFixed(1) +
        " to " + (100 * hi).toFixed(1) + ")" + (lo <= 0 && hi >= 0 ? ": the interval does not exclude zero, so the data cannot tell this judge from the court." : ".");
    }
    if (r.p_value !== null) {
      text += " Two-proportion test p = " + r.p_value.toPrecision(2) + "; q = " + r.q_value.toPrecision(2) +
        " after the Benjamini–Hochberg correction over " + rows.filter(function (x) { return x.p_value !== null; }).length +
        " judges (about 5% of judges differ at p < 0.05 by chance alone).";
    }
    if (r.small_sample) { text += " Fewer than 25 decisions: the adjusted rate leans on the court's."; }
    q.textContent = text;
    section.appendChild(q);
    section.appendChild(el("p", "Method: a binomial mixed model with partial pooling toward the court; see the methodology, §8.", "note"));
  }
  function wilson(p, n) {
    /* 95% Wilson score interval of a proportion p out of n */
    if (!n) { return [0, 1]; }
    var z = 1.959963984540054, z2 = z * z;
    var centre = (p + z2 / (2 * n)) / (1 + z2 / n);
    var half = z * Math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n);
    return [Math.max(0, centre - half), Math.min(1, centre + half)];
  }
  function rankRanges(ranked) {
    ranked.forEach(function (r) {
      var better = ranked.filter(function (o) { return o !== r && o.adjusted_ci_low > r.adjusted_ci_high; }).length;
      var notWorse = ranked.filter(function (o) { return o !== r && o.adjusted_ci_high >= r.adjusted_ci_low; }).length;
      r._best = better + 1;
      r._worst = notWorse + 1;
    });
  }
  function funnel(node, rows, p0) {
    if (typeof window.vegaEmbed !== "function" || !rows.length) { return; }
    var maxN = Math.max.apply(null, rows.map(function (r) { return r.decisions; }));
    var limits = [];
    for (var i = 1; i <= 60; i++) {
      var n = Math.max(1, Math.round(Math.pow(maxN, i / 60)));
      var se = Math.sqrt(p0 * (1 - p0) / n);
      limits.push({ n: n, lo95: Math.max(0, p0 - 1.96 * se), hi95: Math.min(1, p0 + 1.96 * se),
                    lo998: Math.max(0, p0 - 3.09 * se), hi998: Math.min(1, p0 + 3.09 * se) });
    }
    var spec = {
      $schema: "https://vega.github.io/schema/vega-lite/v5.json",
      description: "Funnel plot: each judge's raw grant rate against decisions, with 95% and 99.8% control limits around the court's rate",
      width: "container", height: 280,
      layer: [
        { data: { values: limits }, mark: { type: "area", opacity: 0.15 },
          encoding: { x: { field: "n", type: "quantitative", scale: { type: "log" }, title: "Decisions" },
                      y: { field: "lo998", type: "quantitative" }, y2: { field: "hi998" } } },
        { data: { values: limits }, mark: { type: "area", opacity: 0.25 },
          encoding: { x: { field: "n", type: "quantitative" }, y: { field: "lo95", type: "quantitative" }, y2: { field: "hi95" } } },
        { data: { values: [{ p: p0 }] }, mark: { type: "rule", strokeDash: [4, 4] }, encoding: { y: { field: "p", type: "quantitative" } } },
        { data: { values: rows.map(function (r) { return { n: r.decisions, rate: r.grant_rate, judge: r.judge_name || r.judge_code }; }) },
          mark: { type: "point", filled: true },
          encoding: { x: { field: "n", type: "quantitative" },
                      y: { field: "rate", type: "quantitative", title: "Raw grant rate", axis: { format: "%" }, scale: { domain: [0, 1] } },
                      tooltip: [{ field: "judge" }, { field: "n", title: "decisions" }, { field: "rate", format: ".1%" }] } }
      ]
    };
    window.vegaEmbed(node, spec, { renderer: "svg", actions: false, ast: true,
      expr: window.vega.expressionInterpreter, defaultStyle: false,
      tooltip: { disableDefaultStyle: true } }).then(function () {
      node.classList.add("chart-ready");
    }).catch(function () {
      node.textContent = "The funnel plot could not be drawn; the table has the same numbers.";
    });
  }
  function courtRanking(section, rows) {
    section.textContent = "";
    section.appendChild(el("h2", "Judges ranked by rate adjusted for case mix"));
    var all = rows.filter(function (r) { return r.judge_code && r.decisions > 0; });
    var grants = all.reduce(function (a, r) { return a + r.grants; }, 0);
    var decisions = all.reduce(function (a, r) { return a + r.decisions; }, 0);
    var p0 = decisions ? grants / decisions : 0;
    var ranked = all.filter(function (r) { return r.decisions >= MIN_RANKED && r.adjusted_rate !== null; })
      .sort(function (a, b) { return b.adjusted_rate - a.adjusted_rate; });
    rankRanges(ranked);
    var above = ranked.filter(function (r) { return r.grant_rate > 1.5 * p0; }).length;
    var below = ranked.filter(function (r) { return r.grant_rate < 0.5 * p0; }).length;
    section.appendChild(el("p",
      "Only judges with at least " + MIN_RANKED + " decisions are ranked (" + ranked.length + " of " + all.length +
      "); smaller samples are too noisy to rank. Rank range: the ranks the judge could hold given the 95% intervals. " +
      "Disparity (as in Refugee Roulette): of the ranked judges, " + above + " grant at more than 1.5 times the court's rate (" +
      pctText(p0) + ") and " + below + " at less than half of it.", "note"));
    var fig = el("figure", null, "chart-figure");
    var chart = el("div", null, "chart");
    chart.setAttribute("role", "img");
    chart.setAttribute("aria-label", "Funnel plot of the judges' raw grant rates against their decisions");
    fig.appendChild(chart);
    fig.appendChild(el("figcaption", "Funnel plot: each judge's raw grant rate against decisions (log scale); bands: 95% and 99.8% control limits around the court's rate. A point outside the bands differs by more than chance."));
    section.appendChild(fig);
    var wrap = el("div", null, "table-wrap");
    wrap.setAttribute("tabindex", "0");
    var table = el("table");
    table.appendChild(el("caption", "Adjusted for " + (ranked[0] ? ranked[0].adjusted_for.join(", ").replace(/_/g, " ") : "case mix") + "; partial pooling toward the court (methodology §8)"));
    var head = el("thead"), tr = el("tr");
    ["Rank", "Rank range", "Judge", "Decisions", "Raw rate", "95% interval", "Adjusted rate", "95% interval", "q-value"].forEach(function (h) {
      var th = el("th", h); th.setAttribute("scope", "col"); tr.appendChild(th);
    });
    head.appendChild(tr); table.appendChild(head);
    var body = el("tbody");
    ranked.forEach(function (r, i) {
      var row = el("tr");
      row.appendChild(el("td", String(i + 1), "num"));
      row.appendChild(el("td", r._best === r._worst ? String(r._best) : r._best + "–" + r._worst, "num"));
      var th = el("th"); th.setAttribute("scope", "row");
      var a = el("a", r.judge_name || r.judge_code); a.href = "/judges/" + encodeURIComponent(r.judge_code);
      th.appendChild(a); row.appendChild(th);
      row.appendChild(el("td", String(r.decisions), "num"));
      row.appendChild(el("td", pctText(r.grant_rate), "num"));
      row.appendChild(el("td", ivText(r.ci_low, r.ci_high), "num"));
      row.appendChild(el("td", pctText(r.adjusted_rate), "num"));
      row.appendChild(el("td", ivText(r.adjusted_ci_low, r.adjusted_ci_high), "num"));
      row.appendChild(el("td", r.q_value === null ? "—" : r.q_value.toPrecision(2), "num"));
      body.appendChild(row);
    });
    table.appendChild(body); wrap.appendChild(table); section.appendChild(wrap);
    funnel(chart, all, p0);
  }
  function adjustedSections() {
    document.querySelectorAll("section[data-adjusted]").forEach(function (section) {
      var kind = section.getAttribute("data-adjusted");
      var code = section.getAttribute("data-code");
      var url = kind === "court" ? apiQuery(section, { court: code }) : apiQuery(section, {});
      section.setAttribute("aria-busy", "true");
      fetch(url, { headers: { "Accept": "application/json" } })
        .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.json(); })
        .then(function (rows) { if (kind === "court") { courtRanking(section, rows); } else { judgeAdjusted(section, code, rows); } })
        .catch(function () { /* the raw figures above stay */ })
        .then(function () { section.setAttribute("aria-busy", "false"); });
    });
  }

  function start() {
    adjustedSections();
    autosubmit();
    searchAsYouType();
    renderCharts();
    sortableTables();
    labelTableBoxes();
    lazySections();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
