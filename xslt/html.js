/* Progressive enhancement only: the page works without this script (CSS :has() and
   :hover/:focus-within do the same). It mirrors the "show the source" switch as a class on
   <html> for browsers without :has(), describes each correction by the reading the view
   hides, keeps pop-ups inside the window, and lets Escape close them. */
(function () {
  "use strict";
  var root = document.documentElement;
  var box = document.getElementById("show-source");

  // A correction is named, for a screen reader, by the reading the view shows and
  // described by the one it hides:
  // html.xsl writes the source's, the reading hidden as the page loads; in the source view
  // it is the corrected one. The description is the correction's own when it is
  // focusable, else that of the link around it (a name), which may hold several.
  function describe(source) {
    document.querySelectorAll(".choice").forEach(function (choice) {
      var owner = choice.hasAttribute("tabindex") ? choice : choice.closest("a[href]");
      var corr = choice.querySelector(":scope > .corr"), sic = choice.querySelector(":scope > .sic");
      if (!owner || !corr || !sic) { return; }
      swap(owner, "aria-describedby", source ? sic.id : corr.id, source ? corr.id : sic.id);
      swap(owner, "aria-labelledby", source ? corr.id : sic.id, source ? sic.id : corr.id);
    });
  }
  // One id in an attribute's list of ids replaced by another (the list may hold several).
  function swap(owner, attribute, from, to) {
    var ids = (owner.getAttribute(attribute) || "").split(" ");
    var i = ids.indexOf(from);
    if (i >= 0) {
      ids[i] = to;
      owner.setAttribute(attribute, ids.join(" "));
    }
  }
  function sync() {
    var source = !!(box && box.checked);
    root.classList.toggle("source-view", source);
    describe(source);
  }
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
        var h = host.getBoundingClientRect(), top = topEdge();
        if (h.top - r.height - 8 >= top || h.top - top > height - h.bottom) { host.classList.add("above"); }
      }
    }
  }
  // The top of the room a pop-up has above its marker: below the switch's bar where the bar
  // is stuck at the window's top (a pop-up that opened above went under it, its first lines
  // hidden), else the window's own top.
  function topEdge() {
    var bar = document.querySelector(".toolbar");
    if (bar && getComputedStyle(bar).position === "sticky") {
      var b = bar.getBoundingClientRect();
      if (b.top <= 1 && b.bottom > 0) { return b.bottom + 8; }
    }
    return 8;
  }
  // The markers or corrections whose pop-ups an element's focus opens: its own, or those
  // inside a link (a name).
  function hosts(el) {
    var own = el.closest(".noteref-wrap, .choice");
    if (own) { return [own]; }
    return el.matches("a[href]") ? Array.prototype.slice.call(el.querySelectorAll(".choice")) : [];
  }
  document.querySelectorAll(".noteref-wrap, .choice").forEach(function (el) {
    el.addEventListener("mouseenter", function () { place(el); });
  });
  // Focus may come by Tab, which scrolls the focused element into view after this event:
  // placed again once that is done.
  document.addEventListener("focusin", function (e) {
    hosts(e.target).forEach(function (el) {
      place(el);
      window.requestAnimationFrame(function () { place(el); });
    });
  });
  // Escape closes what hover or focus opened (WCAG 1.4.13, dismissible) and leaves the
  // focus where it is: the marker or correction is marked "dismissed", which hides its
  // pop-up (html.css), until neither the pointer nor the focus is on it any more.
  function dismiss(host) {
    if (host.classList.contains("dismissed")) { return; }
    host.classList.add("dismissed");
    function release(pointer, focus) {
      if (pointer || (focus && hosts(focus).indexOf(host) >= 0)) { return; }
      host.classList.remove("dismissed");
      host.removeEventListener("mouseleave", left);
      document.removeEventListener("focusout", moved);
    }
    function left() { release(false, document.activeElement); }
    // The focus moves to relatedTarget (null: out of the page).
    function moved(e) { release(host.matches(":hover"), e.relatedTarget); }
    host.addEventListener("mouseleave", left);
    document.addEventListener("focusout", moved);
  }
  document.addEventListener("keydown", function (e) {
    if (e.key !== "Escape") { return; }
    var active = document.activeElement;
    if (active && active !== document.body) { hosts(active).forEach(dismiss); }
    document.querySelectorAll(".noteref-wrap:hover, .choice:hover").forEach(dismiss);
  });
}());
