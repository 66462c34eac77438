// Show the Share button only where the Web Share API can share the photo file itself.
// The file is fetched up front: Safari only allows share() straight from the tap.
(() => {
  const button = document.getElementById("share");
  if (!button || !navigator.share || !navigator.canShare) return;
  let file = null;
  fetch(button.dataset.src)
    .then((response) => (response.ok ? response.blob() : Promise.reject(response.status)))
    .then((blob) => {
      const candidate = new File([blob], button.dataset.name, { type: "image/jpeg" });
      if (navigator.canShare({ files: [candidate] })) {
        file = candidate;
        button.hidden = false;
      }
    })
    .catch(() => {});
  button.addEventListener("click", () => {
    navigator.share({ files: [file], title: button.dataset.title }).catch(() => {});
  });
})();
