/**
 * 健康知识: the short items the resident was offered (after a reading, a follow-up, a new
 * diagnosis), newest first. Opening one shows it whole, with its source, and tells the team it
 * was read (once).
 */
const pageBehavior = require('../../../behaviors/page')
const errors = require('../../../services/errors')
const education = require('../../services/education')

Component({
  behaviors: [pageBehavior],
  data: { loading: true, error: '', empty: '', patientId: '', patientName: '', items: [] },
  methods: {
    onLoad(query) {
      this.setData({
        patientId: (query && query.patient_id) || '',
        patientName: query && query.name ? decodeURIComponent(query.name) : '',
      })
      this.load()
    },
    async load() {
      try {
        const found = await education.list(this.data.patientId)
        this.setData({ loading: false, error: '', empty: '', items: found.map(education.view) })
      } catch (err) {
        if (err.code === 'not_enrolled') {
          this.setData({ loading: false, error: '', empty: err.message, items: [] })
        } else {
          this.setData({ loading: false, error: errors.messageOf(err) })
        }
      }
    },
    async toggle(event) {
      const index = Number(event.currentTarget.dataset.index)
      const item = this.data.items[index]
      this.setData({ [`items[${index}].open`]: !item.open })
      if (item.read) return
      try {
        await education.read(item.id)
        this.setData({ [`items[${index}].read`]: true })
      } catch (err) {
        // Reading still works; the mark is sent again the next time it is opened.
      }
    },
  },
})
