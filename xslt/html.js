/* Progressive enhancement only: the page works without this script (CSS :has() and
   :hover/:focus-within do the same). It mirrors the "show the source" switch as a class on
   <html> for browsers without :has(), and keeps note pop-ups inside the window. */
(function () {
  "use strict";
  var root = document.documentElement;
  var box = document.getElementById("show-source");
  function sync() { root.classList.toggle("source-view", !!(box && box.checked)); }
  if (box) { box.addEventListener("change", sync); sync(); }

  function place(wrap) {
    var pop = wrap.querySelector(".note-pop");
    if (!pop || window.innerWidth < 768) { return; }
    pop.style.left = "";
    var r = pop.getBoundingClientRect();
    if (r.right > window.innerWidth - 8) {
      pop.style.left = Math.round(window.innerWidth - 8 - r.right - 16) + "px";
    }
  }
  document.querySelectorAll(".noteref-wrap").forEach(function (wrap) {
    wrap.addEventListener("mouseenter", function () { place(wrap); });
    wrap.addEventListener("focusin", function () { place(wrap); });
  });
  // Escape closes what hover or focus opened (WCAG 1.4.13, dismissible): the focused
  // marker or correction loses focus, and a pop-up under the pointer stays shut until the
  // pointer leaves it.
  document.addEventListener("keydown", function (e) {
    if (e.key !== "Escape") { return; }
    if (document.activeElement && document.activeElement.closest(".noteref-wrap, .choice")) {
      document.activeElement.blur();
    }
    document.querySelectorAll(".noteref-wrap:hover").forEach(function (wrap) {
      wrap.classList.add("dismissed");
      wrap.addEventListener("mouseleave", function () { wrap.classList.remove("dismissed"); }, { once: true });
    });
  });
}());
