/* The API documentation page: Swagger UI on the service's own OpenAPI document.
   A file of its own (no inline script): the Content-Security-Policy allows scripts from
   'self' only. */
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  if (!root || !window.SwaggerUIBundle) { return; }
  window.ui = window.SwaggerUIBundle({
    url: root.getAttribute("data-openapi"),
    domNode: root,
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    deepLinking: false,
    validatorUrl: null,        // no request to validator.swagger.io
    tryItOutEnabled: false,
    defaultModelsExpandDepth: 0,
    syntaxHighlight: false     // its dark themes fail the contrast minimum (4.5:1)
  });
  // Swagger UI's "Try it out" fields for a boolean or enum parameter are a <select> without a
  // label (axe: select-name); they get the parameter's name as their accessible name. Its code
  // blocks (examples, responses) scroll within a maximum height: reachable by keyboard
  // (axe: scrollable-region-focusable)
  function labelFields() {
    Array.prototype.forEach.call(root.querySelectorAll("pre:not([tabindex])"), function (pre) {
      pre.setAttribute("tabindex", "0");
    });
    Array.prototype.forEach.call(root.querySelectorAll("tr[data-param-name]"), function (row) {
      Array.prototype.forEach.call(row.querySelectorAll("select, input, textarea"), function (f) {
        if (!f.hasAttribute("aria-label") && !f.id) {
          f.setAttribute("aria-label", row.getAttribute("data-param-name"));
        }
      });
    });
  }
  new MutationObserver(labelFields).observe(root, {childList: true, subtree: true});
})();
