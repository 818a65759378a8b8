// The links in account emails carry their key in the URL fragment (#key=...), which browsers
// never send to a server, so the key stays out of every access log and Referer header.
// This script copies it into the page's form (the form is POSTed, body only) and removes it
// from the address bar. Without a key the form is hidden and "link incomplete" is shown.
(function () {
  "use strict";
  var form = document.querySelector("form[data-key-form]");
  if (!form) {
    return;
  }
  var input = form.querySelector("input[name=key]");
  var params = new URLSearchParams(window.location.hash.replace(/^#/, ""));
  var key = params.get("key");
  if (key) {
    input.value = key;
    window.history.replaceState(null, "", window.location.pathname);
  }
  if (!input.value) {
    form.hidden = true;
    var missing = document.getElementById("key-missing");
    if (missing) {
      missing.hidden = false;
    }
  }
})();
