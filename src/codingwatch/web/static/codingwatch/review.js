// Chart review keys: Enter in a line adds a line below and focuses its code; Ctrl+Enter (or
// Cmd+Enter) saves and opens the next case; x removes a line. Any change asks the server (htmx)
// to check the codes and regroup.
(function () {
  function rows() { return document.querySelectorAll("#audited-lines tbody tr.line"); }

  function changed(form) { document.getElementById("line-area").dispatchEvent(new Event("change", { bubbles: true })); }

  function addLine(after) {
    var template = document.getElementById("line-template");
    var html = template.innerHTML.replace(/__i__/g, String(rows().length));
    var body = document.querySelector("#audited-lines tbody");
    var holder = document.createElement("tbody");
    holder.innerHTML = html.trim();
    var row = holder.firstElementChild;
    if (after && after.parentNode === body) { after.after(row); } else { body.appendChild(row); }
    var system = after ? after.querySelector("select[name=code_system]") : null;
    if (system) row.querySelector("select[name=code_system]").value = system.value;
    row.querySelector("input[name=code]").focus();
  }

  document.addEventListener("keydown", function (event) {
    var form = document.getElementById("review-form");
    if (!form || !form.contains(event.target)) return;
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      var next = document.getElementById("save-next");
      (next || form.querySelector("button[name=save]")).click();
      return;
    }
    if (event.key === "Enter" && event.target.closest("#audited-lines")) {
      event.preventDefault();
      addLine(event.target.closest("tr"));
    }
  });

  document.addEventListener("click", function (event) {
    if (!event.target.classList.contains("remove-line")) return;
    var row = event.target.closest("tr");
    if (!row) return;
    row.remove();
    rows().forEach(function (r, i) { var e = r.querySelector(".line-error"); if (e) e.id = "line-error-" + i; });
    changed();
  });
})();
