/**
 * The triage result: each suggested department with why (the patient's own answers) and how
 * sure the assistant is, and a "挂这个科" button that goes straight to booking. A clinician
 * decides in the end; the card says so.
 */
Component({
  options: { addGlobalClass: true },
  properties: {
    recommendations: { type: Array, value: [] },
    uncertain: { type: Boolean, value: false },
  },
  methods: {
    onBook(event) {
      const department = this.data.recommendations[event.currentTarget.dataset.index]
      if (department) this.triggerEvent('book', { department })
    },
  },
})
