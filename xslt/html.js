/* Progressive enhancement only: the page works without this script (CSS :has() and
   :hover/:focus-within do the same). It mirrors the "show the source" switch as a class on
   <html> for browsers without :has(), and keeps pop-ups inside the window. */
(function () {
  "use strict";
  var root = document.documentElement;
  var box = document.getElementById("show-source");
  function sync() { root.classList.toggle("source-view", !!(box && box.checked)); }
  if (box) { box.addEventListener("change", sync); sync(); }

  // A pop-up (a note's, or a correction's other reading) is kept inside the window: moved
  // left off the right edge, and above its marker or correction when it would pass the
  // foot of the window (class "above", html.css). Not the narrow layout's fixed note pop-up.
  function place(host) {
    host.classList.remove("above");
    var pops = host.querySelectorAll(":scope > .note-pop, :scope > .sic, :scope > .corr");
    for (var i = 0; i < pops.length; i++) {
      var pop = pops[i];
      pop.style.left = "";
      var style = getComputedStyle(pop);
      if (style.display === "none" || style.position !== "absolute") { continue; }
      var r = pop.getBoundingClientRect();
      var width = root.clientWidth, height = window.innerHeight, dx = 0;
      if (r.right > width - 8) { dx = width - 8 - r.right; }
      if (r.left + dx < 8) { dx = 8 - r.left; }
      if (dx) { pop.style.left = Math.round(parseFloat(style.left) + dx) + "px"; }
      if (r.bottom > height - 8) {
        var h = host.getBoundingClientRect();
        if (h.top - r.height - 8 >= 8 || h.top > height - h.bottom) { host.classList.add("above"); }
      }
    }
  }
  // The marker or correction whose pop-up an element's focus opens: its own, or one
  // inside a link (a name).
  function opener(el) {
    return el.closest(".noteref-wrap, .choice") || (el.matches("a[href]") ? el.querySelector(".choice") : null);
  }
  document.querySelectorAll(".noteref-wrap, .choice").forEach(function (el) {
    el.addEventListener("mouseenter", function () { place(el); });
  });
  // Focus may come by Tab, which scrolls the focused element into view after this event:
  // placed again once that is done.
  document.addEventListener("focusin", function (e) {
    var el = opener(e.target);
    if (el) {
      place(el);
      window.requestAnimationFrame(function () { place(el); });
    }
  });
  // Escape closes what hover or focus opened (WCAG 1.4.13, dismissible): the focused
  // marker or correction loses focus, and a pop-up under the pointer stays shut until the
  // pointer leaves it.
  document.addEventListener("keydown", function (e) {
    if (e.key !== "Escape") { return; }
    var active = document.activeElement;
    if (active && active !== document.body && opener(active)) {
      active.blur();
    }
    document.querySelectorAll(".noteref-wrap:hover, .choice:hover").forEach(function (wrap) {
      wrap.classList.add("dismissed");
      wrap.addEventListener("mouseleave", function () { wrap.classList.remove("dismissed"); }, { once: true });
    });
  });
}());
