/* Status notice for another site: <script src="https://status.example.com/widget.js" async></script>
   Reads this page's summary.json (CORS, no cookies, nothing else loaded) and shows a small
   floating notice while the page is not operational. data-position="left" moves it left. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !window.fetch) return;
  var source = script.src.replace(/\/widget\.js(?:[?#].*)?$/, "") + "/api/v2/summary.json";
  var left = script.getAttribute("data-position") === "left";
  var storageKey = "status-widget-dismissed:" + source;
  var COLOURS = { minor: "#b7791f", major: "#dd6b20", critical: "#e53e3e", maintenance: "#2b6cb0" };
  var RUNNING = { in_progress: true, verifying: true };
  var CHECK_EVERY = 60000;
  var host, notice, title, detail, link, shownVersion = null;

  function styled(tag, style, text) {
    var node = document.createElement(tag);
    for (var name in style) node.style[name] = style[name]; // CSSOM: allowed by any style CSP
    if (text) node.textContent = text;
    return node;
  }

  function dismissedVersion() {
    try { return window.sessionStorage.getItem(storageKey); } catch (e) { return null; }
  }

  function rememberDismissal(version) {
    try { window.sessionStorage.setItem(storageKey, version); } catch (e) { /* private mode */ }
  }

  function webLink(url) {
    return typeof url === "string" && /^https?:\/\//i.test(url) ? url : null;
  }

  function hide() {
    if (host) host.style.display = "none";
    shownVersion = null;
  }

  function build() {
    host = styled("div", {
      position: "fixed", bottom: "16px", zIndex: "2147483000", display: "none",
      maxWidth: "calc(100vw - 32px)", width: "340px"
    });
    host.style[left ? "left" : "right"] = "16px";
    host.setAttribute("data-status-widget", "");
    var root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;
    notice = styled("div", {
      position: "relative", padding: "12px 40px 12px 14px", borderRadius: "8px",
      background: "#fff", color: "#1f2933", borderLeft: "4px solid #e53e3e",
      boxShadow: "0 4px 16px rgba(0,0,0,.18)", textAlign: "left",
      font: '14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif'
    });
    notice.setAttribute("role", "status");
    notice.setAttribute("aria-live", "polite");
    title = styled("strong", { display: "block", fontWeight: "600" });
    detail = styled("span", { display: "block", marginTop: "2px", overflowWrap: "anywhere" });
    link = styled("a", { display: "inline-block", marginTop: "6px", color: "#2b6cb0" }, "View status");
    link.target = "_blank";
    link.rel = "noopener";
    var close = styled("button", {
      position: "absolute", top: "6px", right: "6px", width: "28px", height: "28px",
      border: "0", borderRadius: "4px", background: "transparent", color: "#616e7c",
      font: "20px/1 sans-serif", cursor: "pointer"
    }, "\u00d7");
    close.type = "button";
    close.setAttribute("aria-label", "Dismiss status notice");
    close.addEventListener("click", dismiss);
    notice.addEventListener("keydown", function (event) {
      if (event.key === "Escape") dismiss();
    });
    notice.appendChild(title);
    notice.appendChild(detail);
    notice.appendChild(link);
    notice.appendChild(close);
    root.appendChild(notice);
    document.body.appendChild(host);
  }

  function dismiss() {
    if (shownVersion !== null) rememberDismissal(shownVersion);
    hide();
  }

  function fill(summary, subject) {
    var status = summary.status;
    notice.style.borderLeftColor = COLOURS[status.indicator] || "#e53e3e";
    // Text only, never markup: every string here comes from the page's data.
    title.textContent = status.description || "Service disruption";
    detail.textContent = subject && subject.name ? subject.name : "";
    var href = webLink(subject && subject.shortlink) || webLink((summary.page || {}).url);
    link.style.display = href ? "inline-block" : "none";
    if (href) link.href = href;
  }

  function show(summary) {
    var version = summary.status.indicator + "@" + (summary.page || {}).updated_at;
    if (dismissedVersion() === version || shownVersion === version) return;
    var incident = (summary.incidents || [])[0];
    var running = (summary.scheduled_maintenances || []).filter(function (item) {
      return RUNNING[item.status];
    })[0];
    if (!host) build();
    shownVersion = version;
    if (host.style.display !== "none") return fill(summary, incident || running);
    host.style.display = "block";
    // Filled a moment after the empty live region appears, so screen readers announce it.
    window.setTimeout(function () { fill(summary, incident || running); }, 50);
    var still = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    if (!still && notice.animate) {
      notice.animate(
        [{ opacity: 0, transform: "translateY(8px)" }, { opacity: 1, transform: "none" }],
        { duration: 200, easing: "ease-out" }
      );
    }
  }

  function check() {
    if (document.hidden) return;
    window.fetch(source, {
      credentials: "omit", mode: "cors", cache: "no-cache", referrerPolicy: "no-referrer"
    }).then(function (response) {
      if (response.status === 404) hide(); // the page is gone
      return response.ok ? response.json() : null;
    }).then(function (summary) {
      if (!summary || !summary.status) return;
      if (summary.status.indicator === "none") hide();
      else show(summary);
    }).catch(function () { /* offline or blocked: show nothing */ });
  }

  function start() {
    check();
    window.setInterval(check, CHECK_EVERY);
    document.addEventListener("visibilitychange", check);
  }

  if (document.body) start();
  else document.addEventListener("DOMContentLoaded", start);
})();
