// Progressive enhancement only: every page works without this script.
document.addEventListener("click", async (event) => {
  const button = event.target.closest("button[data-copy]");
  if (!button) return;
  const area = document.getElementById(button.dataset.copy);
  const status = document.querySelector(".copied");
  try {
    await navigator.clipboard.writeText(area.value);
    status.textContent = "Kopiert til utklippstavlen.";
  } catch (err) {
    area.focus();
    area.select();
    status.textContent = "Merket – trykk Ctrl+C for å kopiere.";
  }
});
document.addEventListener("click", (event) => {
  const back = event.target.closest("a[data-back]");
  if (back && history.length > 1) {
    event.preventDefault();
    history.back();
  }
});
