/* The SPARQL editor page: YASGUI with the examples, a plain form when YASGUI fails.
   A file of its own (no inline script): the Content-Security-Policy allows scripts from
   'self' only. */
(function () {
  "use strict";
  // the page shows the public address; requests go to this origin (CSP: connect-src 'self')
  var endpoint = new URL(document.getElementById("endpoint").textContent, location.href).pathname;
  var examples = JSON.parse(document.getElementById("examples").textContent);
  var yasgui = null;

  function runFallback(query) {
    var out = document.getElementById("fallback-result");
    out.textContent = "…";
    var body = new URLSearchParams({query: query});
    fetch(endpoint, {method: "POST", body: body,
                     headers: {"Accept": "application/sparql-results+json, text/turtle;q=0.9"}})
      .then(function (r) {
        return r.text().then(function (t) { return {ok: r.ok, type: r.headers.get("content-type") || "", text: t}; });
      })
      .then(function (res) {
        out.textContent = "";
        if (!res.ok) { var p = document.createElement("p"); p.className = "error"; p.textContent = res.text; out.appendChild(p); return; }
        if (res.type.indexOf("json") < 0) { var pre = document.createElement("pre"); pre.textContent = res.text; out.appendChild(pre); return; }
        var data = JSON.parse(res.text);
        if ("boolean" in data) { out.textContent = String(data.boolean); return; }
        var table = document.createElement("table");
        var head = table.insertRow();
        data.head.vars.forEach(function (v) { var th = document.createElement("th"); th.textContent = v; head.appendChild(th); });
        data.results.bindings.forEach(function (b) {
          var row = table.insertRow();
          data.head.vars.forEach(function (v) { row.insertCell().textContent = b[v] ? b[v].value : ""; });
        });
        out.appendChild(table);
      })
      .catch(function (e) { out.textContent = String(e); });
  }

  function load(index) {
    var ex = examples[index];
    if (yasgui) {
      var tab = yasgui.addTab(true, {name: ex.name});
      tab.setQuery(ex.query);
    } else {
      document.getElementById("fallback-query").value = ex.query;
    }
  }

  if (window.Yasgui) {
    try {
      yasgui = new window.Yasgui(document.getElementById("yasgui"), {
        requestConfig: {endpoint: endpoint, method: "POST"},
        copyEndpointOnNewTab: false,
        persistenceId: "vitaalkg-yasgui",
        endpointCatalogueOptions: {getData: function () { return [{endpoint: endpoint}]; }}
      });
      var tab = yasgui.getTab();
      if (tab && !tab.getQuery().match(/vitaalkg|klasse/)) { tab.setQuery(examples[0].query); }
      if (tab) { tab.setEndpoint(endpoint); }
    } catch (e) {
      yasgui = null;
    }
  }
  if (!yasgui) {
    document.getElementById("fallback").hidden = false;
    document.getElementById("fallback-query").value = examples[0].query;
    document.getElementById("fallback-form").addEventListener("submit", function (ev) {
      ev.preventDefault();
      runFallback(document.getElementById("fallback-query").value);
    });
  }
  Array.prototype.forEach.call(document.querySelectorAll("button.example"), function (b) {
    b.addEventListener("click", function () { load(Number(b.getAttribute("data-index"))); });
  });
})();
