/* trtlog report: record script errors and CSP violations on <html> (data-errors / data-csp) so that a
   reader sees them in a banner and a headless test can read them from the DOM. Runs before anything else. */
(function () {
  var root = document.documentElement;
  root.setAttribute("data-errors", "0");
  root.setAttribute("data-csp", "0");
  function note(attr, msg) {
    root.setAttribute(attr, String(Number(root.getAttribute(attr)) + 1));
    var log = root.getAttribute(attr + "-log") || "";
    root.setAttribute(attr + "-log", (log + (log ? " | " : "") + String(msg)).slice(0, 4000));
  }
  window.addEventListener("error", function (e) { note("data-errors", e.message || "error"); });
  window.addEventListener("unhandledrejection", function (e) { note("data-errors", "unhandled rejection: " + e.reason); });
  document.addEventListener("securitypolicyviolation", function (e) {
    note("data-csp", e.violatedDirective + " blocked " + (e.blockedURI || "inline"));
  });
  var origError = console.error;
  console.error = function () {
    note("data-errors", Array.prototype.map.call(arguments, String).join(" "));
    return origError.apply(console, arguments);
  };
})();
