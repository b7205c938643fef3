"""Sign-in against the simulator: login code, two-step verification with real SRP."""

import pytest
from telethon import errors

from archiver.simulator.auth import LOGIN_CODE


async def test_unauthorized_client_has_no_user(connect):
    client = await connect(authorized=False)
    assert await client.get_me() is None
    assert not await client.is_user_authorized()


async def test_sign_in_with_code(connect):
    client = await connect(authorized=False)
    await client.send_code_request("+15550000000")
    me = await client.sign_in("+15550000000", LOGIN_CODE)
    assert me.is_self
    assert (await client.get_me()).username == "archivist"


async def test_wrong_code_is_rejected(connect):
    client = await connect(authorized=False)
    await client.send_code_request("+15550000000")
    with pytest.raises(errors.PhoneCodeInvalidError):
        await client.sign_in("+15550000000", "00000")


async def test_two_step_password_is_verified_by_srp(world, connect):
    world.set_password("correct horse")
    client = await connect(authorized=False)
    await client.send_code_request("+15550000000")
    with pytest.raises(errors.SessionPasswordNeededError):
        await client.sign_in("+15550000000", LOGIN_CODE)
    with pytest.raises(errors.PasswordHashInvalidError):
        await client.sign_in(password="wrong")
    me = await client.sign_in(password="correct horse")
    assert me.is_self
    assert await client.is_user_authorized()
