/* "Print" buttons of printable pages (kept out of the page itself: no inline scripts). */
document.addEventListener("click", function (event) {
  var target = event.target;
  if (target && target.closest && target.closest("[data-print]")) window.print();
});
