// Suggestions for the search box in the header (progressive enhancement: the form works
// without this script). Fills the <datalist> from /zoeken.json while typing.
(function () {
  "use strict";
  var input = document.getElementById("zoekveld");
  var list = document.getElementById("zoek-suggesties");
  if (!input || !list || !window.fetch) { return; }
  var timer = null, last = "";
  input.addEventListener("input", function () {
    var q = input.value.trim();
    if (timer) { clearTimeout(timer); }
    if (q.length < 2 || q === last) { return; }
    timer = setTimeout(function () {
      last = q;
      fetch("/zoeken.json?limit=8&q=" + encodeURIComponent(q), {credentials: "same-origin"})
        .then(function (r) { return r.ok ? r.json() : {hits: []}; })
        .then(function (data) {
          while (list.firstChild) { list.removeChild(list.firstChild); }
          (data.hits || []).forEach(function (hit) {
            var option = document.createElement("option");
            option.value = hit.label;
            option.label = hit.typeLabel + (hit.code ? " · " + hit.code : "");
            list.appendChild(option);
          });
        })
        .catch(function () { /* suggestions are optional */ });
    }, 150);
  });
})();
