// Ask before deleting: the guest's link stops working at once.
document.querySelectorAll("form.delete").forEach((form) => {
  form.addEventListener("submit", (event) => {
    if (!window.confirm("Delete this photo? The guest's link will stop working.")) {
      event.preventDefault();
    }
  });
});
