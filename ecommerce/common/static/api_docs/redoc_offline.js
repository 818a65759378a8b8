// ReDoc 2 draws Redocly's logo in its side menu from https://cdn.redoc.ly/. The API docs load
// nothing from other hosts (they must work offline and under our Content-Security-Policy), so
// that one image gets an empty data: URL instead: ReDoc's own onError handler then hides it.
"use strict";
(() => {
  const external = /^https?:\/\//i;
  const setAttribute = Element.prototype.setAttribute;
  Element.prototype.setAttribute = function (name, value) {
    if (this instanceof HTMLImageElement && String(name).toLowerCase() === "src" && external.test(String(value))) {
      value = "data:,";
    }
    return setAttribute.call(this, name, value);
  };
  const src = Object.getOwnPropertyDescriptor(HTMLImageElement.prototype, "src");
  Object.defineProperty(HTMLImageElement.prototype, "src", {
    ...src,
    set(value) {
      src.set.call(this, external.test(String(value)) ? "data:," : value);
    },
  });
})();
