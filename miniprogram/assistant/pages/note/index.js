/**
 * The pre-visit note (预问诊记录): review what the assistant wrote down, correct any line,
 * confirm so the doctor sees it before the visit, and follow its delivery to the doctor.
 * A confirmed note never changes silently: a later correction is an amendment with a reason.
 * Query: conversation_id, edit=1 (open in editing), note_id? (show that confirmed note).
 */
const pageBehavior = require('../../../behaviors/page')
const platform = require('../../../platform/index')
const errors = require('../../../services/errors')
const conversations = require('../../services/conversations')
const noteView = require('../../services/note-view')

Component({
  behaviors: [pageBehavior],
  data: {
    phase: 'loading', // loading | error | draft | confirmed
    errorText: '',
    rows: [],
    note: null,
    editingKey: '',
    editValue: '',
    editCount: 0,
    amending: false,
    reason: '',
    saving: false,
    formError: '',
  },
  methods: {
    onLoad(query = {}) {
      this.conversationId = query.conversation_id
      this.edits = {}
      this.startInEdit = query.edit === '1'
      this.noteId = query.note_id || (this.conversationId && conversations.knownNoteId(this.conversationId))
      this.load()
    },
    onShow() {
      // Delivery to the doctor happens in the background: refresh when the page comes back.
      if (this.data.phase === 'confirmed') this.refreshNote()
    },
    async load() {
      this.setData({ phase: 'loading', errorText: '' })
      try {
        if (this.noteId) {
          this.showNote(await conversations.getNote(this.noteId))
        } else {
          const draft = await conversations.draftNote(this.conversationId)
          this.slots = draft.slots
          this.setData({ phase: 'draft', rows: noteView.rows(draft.slots, this.edits), amending: false })
          if (this.startInEdit) platform.toast('点“修改”可以改正任何一条')
        }
      } catch (err) {
        this.setData({ phase: 'error', errorText: errors.messageOf(err) })
      }
    },
    showNote(note) {
      this.noteId = note.id
      this.slots = note.slots
      this.edits = {}
      this.setData({
        phase: 'confirmed', note: noteView.noteSummary(note), rows: noteView.rows(note.slots, {}),
        amending: false, editingKey: '', editCount: 0, reason: '', formError: '',
      })
    },
    async refreshNote() {
      try {
        const note = await conversations.getNote(this.noteId)
        this.setData({ note: noteView.noteSummary(note) })
      } catch (err) {
        // keep what is on screen; the next visit tries again
      }
    },
    startEdit(event) {
      const row = this.data.rows.find((r) => r.key === event.currentTarget.dataset.key)
      if (!row || !row.editable) return
      this.setData({ editingKey: row.key, editValue: row.display, formError: '' })
    },
    onEditInput(event) {
      this.setData({ editValue: event.detail.value })
    },
    cancelEdit() {
      this.setData({ editingKey: '', editValue: '' })
    },
    saveEdit() {
      const value = this.data.editValue.trim()
      if (!value) {
        this.setData({ formError: '请填写内容，或点“取消”。' })
        return
      }
      this.edits[this.data.editingKey] = value.slice(0, 200)
      this.setData({
        editingKey: '', editValue: '', formError: '', editCount: Object.keys(this.edits).length,
        rows: noteView.rows(this.slots, this.edits),
      })
    },
    async confirm() {
      if (this.data.saving) return
      this.setData({ saving: true, formError: '' })
      try {
        const note = await conversations.confirmNote(this.conversationId, noteView.editList(this.edits))
        platform.toast('已提交给医生', 'success')
        this.showNote(note)
      } catch (err) {
        this.setData({ formError: errors.messageOf(err) })
      } finally {
        this.setData({ saving: false })
      }
    },
    startAmend() {
      this.setData({ amending: true, formError: '' })
    },
    onReason(event) {
      this.setData({ reason: event.detail.value })
    },
    async submitAmendment() {
      if (this.data.saving) return
      if (!this.data.editCount) {
        this.setData({ formError: '请先点“修改”改正要更正的内容。' })
        return
      }
      if (!this.data.reason.trim()) {
        this.setData({ formError: '请简单说明为什么要更正，比如：记错了天数。' })
        return
      }
      this.setData({ saving: true, formError: '' })
      try {
        const amended = await conversations.amendNote(
          { id: this.noteId, conversation_id: this.data.note.conversation_id },
          noteView.editList(this.edits), this.data.reason.trim())
        platform.toast('已提交更正', 'success')
        this.showNote(amended)
      } catch (err) {
        this.setData({ formError: errors.messageOf(err) })
      } finally {
        this.setData({ saving: false })
      }
    },
    cancelAmend() {
      this.edits = {}
      this.setData({ amending: false, editCount: 0, reason: '', formError: '', rows: noteView.rows(this.slots, {}) })
    },
  },
})
