/** Who, where, when and how much: the same block on confirm, result, list and detail pages. */
Component({
  options: { addGlobalClass: true },
  properties: {
    // A booking already passed through booking/services/bookings.view().
    booking: { type: Object, value: null },
    compact: { type: Boolean, value: false },
  },
})
