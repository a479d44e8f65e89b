window.YTD.direct_messages.part0 = [
  {
    "dmConversation": {
      "conversationId": "9000-9100",
      "messages": [
        {
          "messageCreate": {
            "recipientId": "9100",
            "senderId": "9000",
            "id": "8001",
            "text": "your biopsy came back clean!! see you at your follow up thursday, don't tell anyone I told you early \ud83d\ude09",
            "createdAt": "2021-05-02T23:10:00.000Z"
          }
        },
        {
          "messageCreate": {
            "recipientId": "9000",
            "senderId": "9100",
            "id": "8000",
            "text": "hi doc it's Jen from clinic, any news on my biopsy? so anxious",
            "createdAt": "2021-05-02T22:00:00.000Z"
          }
        }
      ]
    }
  }
]