/* The SPARQL editor page: YASQE (the editor of YASGUI) over the form's textarea, the query run
   with fetch, the result as a table. Without YASGUI the textarea stays and works the same.
   A file of its own (no inline script): the Content-Security-Policy allows scripts from
   'self' only. Keyboard: Tab and Shift+Tab leave the editor (no trap, WCAG 2.1.2); Ctrl+] and
   Ctrl+[ indent (CodeMirror's own keys); Ctrl+Enter runs the query; Esc leaves it as well. */
(function () {
  "use strict";
  // the page shows the public address; requests go to this origin (CSP: connect-src 'self')
  var endpoint = new URL(document.getElementById("endpoint").textContent, location.href).pathname;
  var examples = JSON.parse(document.getElementById("examples").textContent);
  // the page's texts in its language (Dutch when the element is missing)
  var textsElement = document.getElementById("editor-texts");
  var texts = textsElement ? JSON.parse(textsElement.textContent) : {};
  function t(key, fallback) { return texts[key] || fallback; }
  var form = document.getElementById("sparql-form");
  var textarea = document.getElementById("query");
  var status = document.getElementById("result-status");
  var out = document.getElementById("result");
  var yasqe = null;

  function text(tag, value, cls) {
    var el = document.createElement(tag);
    el.textContent = value;
    if (cls) { el.className = cls; }
    return el;
  }

  function cell(binding) {
    if (!binding) { return document.createTextNode(""); }
    if (binding.type === "uri") {
      var local = binding.value.indexOf("https://w3id.org/vitaalkg/") === 0;
      var a = text("a", binding.value);
      a.href = local ? binding.value.replace("https://w3id.org/vitaalkg/id/", "/doc/") : binding.value;
      return a;
    }
    var span = text("span", binding.value);
    if (binding["xml:lang"]) { span.lang = binding["xml:lang"]; }
    return span;
  }

  function show(res) {
    out.textContent = "";
    out.hidden = false;
    if (!res.ok) {
      out.appendChild(text("p", res.text, "query-error"));
      status.textContent = t("error", "De query gaf een fout ({status}).")
        .replace("{status}", res.status);
      return;
    }
    if (res.type.indexOf("json") < 0) {
      var pre = text("pre", res.text);
      pre.tabIndex = 0;
      out.appendChild(pre);
      status.textContent = t("received", "Resultaat ontvangen.");
      return;
    }
    var data = JSON.parse(res.text);
    if ("boolean" in data) {
      out.appendChild(text("p", data["boolean"] ? t("yes", "Ja (true)") : t("no", "Nee (false)")));
      status.textContent = t("result", "Resultaat:") + " " + data["boolean"];
      return;
    }
    var rows = data.results.bindings;
    var box = document.createElement("div");
    box.className = "table-scroll";
    box.tabIndex = 0;  // a box that scrolls sideways must be reachable by keyboard
    box.setAttribute("role", "region");
    box.setAttribute("aria-labelledby", "result-caption");
    var table = document.createElement("table");
    table.className = "data sparql-table";
    var caption = text("caption", rows.length + " " + (rows.length === 1 ? t("one", "resultaat")
                                                      : t("many", "resultaten")));
    caption.id = "result-caption";
    table.appendChild(caption);
    var head = table.createTHead().insertRow();
    data.head.vars.forEach(function (v) {
      var th = text("th", v);
      th.scope = "col";
      head.appendChild(th);
    });
    var body = table.createTBody();
    rows.forEach(function (b) {
      var row = body.insertRow();
      data.head.vars.forEach(function (v) { row.insertCell().appendChild(cell(b[v])); });
    });
    box.appendChild(table);
    out.appendChild(box);
    status.textContent = caption.textContent + ".";
  }

  function run() {
    var query = yasqe ? yasqe.getValue() : textarea.value;
    textarea.value = query;
    status.textContent = t("busy", "Bezig…");
    fetch(endpoint, {method: "POST", body: new URLSearchParams({query: query}),
                     headers: {"Accept": "application/sparql-results+json, text/turtle;q=0.9"}})
      .then(function (r) {
        return r.text().then(function (t) {
          return {ok: r.ok, status: r.status, type: r.headers.get("content-type") || "", text: t};
        });
      })
      .then(show)
      .catch(function (e) {
        status.textContent = t("failed", "De query kon niet worden verstuurd:") + " " + e;
      });
  }

  if (window.Yasgui && window.Yasgui.Yasqe) {
    try {
      var Yasqe = window.Yasgui.Yasqe;
      var holder = document.createElement("div");
      holder.className = "sparql-editor";
      textarea.parentNode.insertBefore(holder, textarea);
      yasqe = new Yasqe(holder, {
        value: textarea.value,
        persistenceId: null,           // the page's own example, not an old query
        showQueryButton: false,        // the form's own button runs the query
        createShareableLink: null,
        resizeable: false,
        autocompleters: ["variables"], // the others ask prefix.cc and LOV (other sites)
        extraKeys: Object.assign({}, Yasqe.defaults.extraKeys, {
          "Tab": false, "Shift-Tab": false,  // the browser's: to the next or previous control
          "Ctrl-Enter": function () { run(); }, "Cmd-Enter": function () { run(); }
        })
      });
      var input = yasqe.getInputField();
      input.id = "query-editor";
      input.setAttribute("aria-describedby", "editor-hint");
      input.setAttribute("aria-multiline", "true");
      document.getElementById("query-label").htmlFor = "query-editor";
      textarea.hidden = true;
      textarea.removeAttribute("id");
    } catch (e) {
      yasqe = null;
    }
  }
  form.addEventListener("submit", function (ev) { ev.preventDefault(); run(); });
  document.getElementById("voorbeelden-lijst").hidden = false;
  Array.prototype.forEach.call(document.querySelectorAll("button.example"), function (b) {
    b.addEventListener("click", function () {
      var query = examples[Number(b.getAttribute("data-index"))].query;
      if (yasqe) { yasqe.setValue(query); yasqe.focus(); } else { textarea.value = query; textarea.focus(); }
    });
  });
})();
