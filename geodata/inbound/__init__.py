"""Messages in: reports, status questions and providers' answers sent by SMS or WhatsApp.

``gateways`` reads each gateway's request, ``signatures`` checks it, ``syntax`` reads what the
person wrote, ``service.receive`` does it once per message, ``replies.send_reply`` is the one
way an answer goes back, ``notices.remember_notice`` is what outbound notices call, and
``erasure.erase_contact`` forgets a phone or e-mail everywhere.
"""
