// Small progressive enhancements; every page works without this file.
// No inline handlers, no eval: the CSP allows scripts from this origin only.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // A <select data-autosubmit> submits its form on change (the Go button is for no-JS use).
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el && el.matches && el.matches("select[data-autosubmit]") && el.form) {
      if (el.form.requestSubmit) { el.form.requestSubmit(); } else { el.form.submit(); }
    }
  });

  // <button data-copy="#id"> copies the value or text of the target to the clipboard.
  document.addEventListener("click", function (event) {
    var btn = event.target && event.target.closest ? event.target.closest("[data-copy]") : null;
    if (!btn) { return; }
    var target = document.querySelector(btn.getAttribute("data-copy"));
    if (!target) { return; }
    var text = target.value !== undefined ? target.value : target.textContent;
    var done = function () {
      var label = btn.getAttribute("data-copied") || "Copied";
      var old = btn.textContent;
      btn.textContent = label;
      setTimeout(function () { btn.textContent = old; }, 2000);
    };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).then(done, function () { target.select && target.select(); });
    } else if (target.select) {
      target.select();
      document.execCommand("copy");
      done();
    }
  });

  // After htmx swaps content in, move focus to the element that asks for it, so keyboard
  // and screen-reader users land on the new content.
  document.addEventListener("htmx:afterSettle", function (event) {
    var root = event.detail && event.detail.elt ? event.detail.elt : document;
    var focus = root.querySelector ? root.querySelector("[data-autofocus]") : null;
    if (focus) { focus.focus(); }
  });

  // Row menus (<details class="row-menu">) open one at a time; Escape or a click elsewhere
  // closes them, and Escape returns focus to the menu's button. Without this file they
  // open and close with their summary, as any <details>.
  function closeRowMenus(except) {
    document.querySelectorAll("details.row-menu[open]").forEach(function (menu) {
      if (menu !== except) { menu.open = false; }
    });
  }
  document.addEventListener("toggle", function (event) {
    var menu = event.target;
    if (menu && menu.matches && menu.matches("details.row-menu") && menu.open) { closeRowMenus(menu); }
  }, true);
  document.addEventListener("click", function (event) {
    var inside = event.target && event.target.closest ? event.target.closest("details.row-menu") : null;
    closeRowMenus(inside);
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    var menu = event.target && event.target.closest ? event.target.closest("details.row-menu[open]") : null;
    if (!menu) { return; }
    menu.open = false;
    menu.querySelector("summary").focus();
  });

  // Avatar preview: <input data-preview="#img-id"> shows the saved avatar (served by the
  // portal); images from other hosts are never loaded (CSP img-src 'self'), so a typed
  // address hides the preview until it is saved.
  document.addEventListener("input", function (event) {
    var el = event.target;
    if (!el || !el.matches || !el.matches("input[data-preview]")) { return; }
    var img = document.querySelector(el.getAttribute("data-preview"));
    if (!img) { return; }
    img.hidden = !img.getAttribute("src") || el.value.trim() !== el.defaultValue.trim();
  });
  // Show-password toggle: <input type="password" data-reveal="Show password"
  // data-conceal="Hide password"> gets a button after it that switches the field between
  // hidden and shown. Without this file the field simply stays a password field.
  function addRevealButtons(root) {
    if (!root || !root.querySelectorAll) { return; }
    root.querySelectorAll("input[data-reveal]").forEach(function (input) {
      if (input.nextElementSibling && input.nextElementSibling.matches(".reveal")) { return; }
      var btn = document.createElement("button");
      btn.type = "button";
      btn.className = "quiet small reveal";
      btn.textContent = input.getAttribute("data-reveal");
      btn.setAttribute("aria-pressed", "false");
      if (input.id) { btn.setAttribute("aria-controls", input.id); }
      input.insertAdjacentElement("afterend", btn);
    });
  }
  document.addEventListener("click", function (event) {
    var btn = event.target && event.target.closest ? event.target.closest("button.reveal") : null;
    if (!btn) { return; }
    var input = btn.previousElementSibling;
    if (!input || !input.matches("input[data-reveal]")) { return; }
    var show = input.type === "password";
    input.type = show ? "text" : "password";
    btn.textContent = input.getAttribute(show ? "data-conceal" : "data-reveal");
    btn.setAttribute("aria-pressed", show ? "true" : "false");
    input.focus();
  });
  document.addEventListener("htmx:load", function (event) { addRevealButtons(event.detail ? event.detail.elt : null); });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { addRevealButtons(document); });
  } else {
    addRevealButtons(document);
  }

  // <input data-select-on-focus> selects its whole value when focused (a value shown once,
  // to copy); the copy button beside it is shown only with this file.
  document.addEventListener("focusin", function (event) {
    var el = event.target;
    if (el && el.matches && el.matches("input[data-select-on-focus]")) { el.select(); }
  });
})();
