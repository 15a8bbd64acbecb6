/** Queue position after check-in: the number, how many are ahead, roughly how long. */
Component({
  options: { addGlobalClass: true },
  properties: {
    queue: { type: Object, value: null },
  },
})
