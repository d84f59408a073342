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
    ["definition", "fy", "from", "to"].forEach(function (k) {
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
        fetch("/api/search?q=" + encodeURIComponent(q), { headers: { "Accept": "application/json" } })
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

  function start() {
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
